//go:build !linux

package main

import (
	"net"
	"time"
)

// Elsewhere a packet's arrival is the time we read it.

func enableStamps(*net.UDPConn) bool { return false }

const stampOOB = 0

func readStamped(conn *net.UDPConn, buf, _ []byte) (int, time.Time, error) {
	n, err := conn.Read(buf)
	return n, time.Now(), err
}
