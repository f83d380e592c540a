package media

import (
	"net"
	"syscall"
	"testing"

	dmedia "github.com/emiago/diago/media"
)

// TestSetSocketBuffers proves the reflection still finds diago's sockets and
// the kernel took the new sizes (Linux reports double the asked value, capped
// by net.core.rmem_max, so we check it grew past the default).
func TestSetSocketBuffers(t *testing.T) {
	dmedia.RTPPortStart, dmedia.RTPPortEnd = 46000, 46400
	ms, err := dmedia.NewMediaSession(net.IPv4(127, 0, 0, 1), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer ms.Close()
	conn, err := SessionConn(ms)
	if err != nil {
		t.Fatal(err)
	}
	before := sockBuf(t, conn)
	if err := SetSocketBuffers(ms, DefaultSocketBuffer); err != nil {
		t.Fatal(err)
	}
	after := sockBuf(t, conn)
	if after <= before {
		t.Errorf("SO_RCVBUF %d → %d, want it raised", before, after)
	}
}

func sockBuf(t *testing.T, c net.PacketConn) int {
	t.Helper()
	raw, err := c.(*net.UDPConn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var size int
	var serr error
	err = raw.Control(func(fd uintptr) {
		size, serr = syscall.GetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF)
	})
	if err != nil || serr != nil {
		t.Fatal(err, serr)
	}
	return size
}
