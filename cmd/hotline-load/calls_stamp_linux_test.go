package main

import (
	"net"
	"testing"
	"time"
)

// A datagram that waited in the socket buffer keeps its arrival time.
func TestReadStampedKeepsArrivalTime(t *testing.T) {
	rx, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer rx.Close()
	if !enableStamps(rx) {
		t.Fatal("SO_TIMESTAMPNS refused")
	}
	tx, err := net.DialUDP("udp4", nil, rx.LocalAddr().(*net.UDPAddr))
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Close()
	sent := time.Now()
	if _, err := tx.Write([]byte("x")); err != nil {
		t.Fatal(err)
	}
	<-time.After(150 * time.Millisecond) // the packet waits unread
	buf, oob := make([]byte, 16), make([]byte, stampOOB)
	n, at, err := readStamped(rx, buf, oob)
	if err != nil || n != 1 {
		t.Fatalf("read %d, %v", n, err)
	}
	if d := at.Sub(sent); d < 0 || d > 50*time.Millisecond {
		t.Errorf("arrival stamped %v after sending; want the kernel's time, not the read's (150 ms later)", d)
	}
}
