package main

import (
	"net"
	"testing"
	"time"
)

// A datagram that waited in the socket buffer keeps its arrival time.
//
// Linux turns receive timestamping on for the whole stack lazily (a static
// key flipped by deferred work when the first socket asks), so the first
// datagrams after enabling may be stamped only when read. The test therefore
// tries a few times; a reader that never gets the kernel's time fails.
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
	buf, oob := make([]byte, 16), make([]byte, stampOOB)
	var last time.Duration
	for range 5 {
		sent := time.Now()
		if _, err := tx.Write([]byte("x")); err != nil {
			t.Fatal(err)
		}
		<-time.After(100 * time.Millisecond) // the packet waits unread
		n, at, err := readStamped(rx, buf, oob)
		if err != nil || n != 1 {
			t.Fatalf("read %d, %v", n, err)
		}
		if last = at.Sub(sent); last >= 0 && last < 50*time.Millisecond {
			return
		}
	}
	t.Errorf("arrival stamped %v after sending; want the kernel's time, not the read's (100 ms later)", last)
}
