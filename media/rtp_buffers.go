package media

import (
	"errors"
	"fmt"
	"net"
	"reflect"
	"unsafe"

	dmedia "github.com/emiago/diago/media"
)

// SetSocketBuffers raises the kernel receive and send buffers of a diago media
// session's RTP and RTCP sockets to size bytes.
//
// diago v0.42.1 keeps the sockets in unexported fields and offers no hook, so
// this reaches them by reflection. It is tied to the pinned version: when the
// fields are renamed it returns an error (and the test fails) instead of
// touching memory it does not understand.
func SetSocketBuffers(ms *dmedia.MediaSession, size int) error {
	var errs []error
	for _, name := range []string{"rtpConn", "rtcpConn"} {
		conn, err := sessionConn(ms, name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		udp, ok := conn.(*net.UDPConn)
		if !ok {
			continue // DTLS or a custom listener: nothing to tune
		}
		errs = append(errs, udp.SetReadBuffer(size), udp.SetWriteBuffer(size))
	}
	return errors.Join(errs...)
}

// SessionConn returns the RTP socket of a media session (for tests and stats).
func SessionConn(ms *dmedia.MediaSession) (net.PacketConn, error) {
	return sessionConn(ms, "rtpConn")
}

func sessionConn(ms *dmedia.MediaSession, name string) (net.PacketConn, error) {
	if ms == nil {
		return nil, errors.New("socket buffers: nil media session")
	}
	f := reflect.ValueOf(ms).Elem().FieldByName(name)
	if !f.IsValid() || f.Type() != reflect.TypeFor[net.PacketConn]() {
		return nil, fmt.Errorf("socket buffers: diago media session has no %s net.PacketConn field", name)
	}
	v := reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem().Interface()
	if v == nil {
		return nil, fmt.Errorf("socket buffers: %s not open", name)
	}
	return v.(net.PacketConn), nil
}
