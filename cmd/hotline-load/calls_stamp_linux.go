package main

import (
	"net"
	"syscall"
	"time"
	"unsafe"
)

// Kernel receive timestamps (SO_TIMESTAMPNS): the lateness of a packet is
// measured from when it reached our socket, not from when a busy load
// generator got round to reading it, so the numbers describe the server.

// enableStamps asks the kernel to stamp each datagram on conn; it reports
// whether it could.
func enableStamps(conn *net.UDPConn) bool {
	raw, err := conn.SyscallConn()
	if err != nil {
		return false
	}
	var serr error
	if err := raw.Control(func(fd uintptr) {
		serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_TIMESTAMPNS, 1)
	}); err != nil || serr != nil {
		return false
	}
	return true
}

// stampOOB is room for one SCM_TIMESTAMPNS control message.
const stampOOB = 64

// readStamped reads one datagram and its kernel arrival time; without a
// stamp it falls back to the time of the read.
func readStamped(conn *net.UDPConn, buf, oob []byte) (int, time.Time, error) {
	n, oobn, _, _, err := conn.ReadMsgUDP(buf, oob)
	if err != nil {
		return 0, time.Time{}, err
	}
	if t, ok := parseStamp(oob[:oobn]); ok {
		return n, t, nil
	}
	return n, time.Now(), nil
}

func parseStamp(oob []byte) (time.Time, bool) {
	msgs, err := syscall.ParseSocketControlMessage(oob)
	if err != nil {
		return time.Time{}, false
	}
	for _, m := range msgs {
		if m.Header.Level == syscall.SOL_SOCKET && m.Header.Type == syscall.SCM_TIMESTAMPNS &&
			len(m.Data) >= int(unsafe.Sizeof(syscall.Timespec{})) {
			ts := (*syscall.Timespec)(unsafe.Pointer(&m.Data[0]))
			return time.Unix(ts.Unix()), true
		}
	}
	return time.Time{}, false
}
