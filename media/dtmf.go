package media

import (
	"errors"
	"fmt"
)

// DTMF keypad: the sixteen digits, their RFC 4733 event codes (the index in
// dtmfDigits) and their row and column frequencies (ITU-T Q.23).
const dtmfDigits = "0123456789*#ABCD"

var (
	dtmfRowFreqs = [4]float64{697, 770, 852, 941}
	dtmfColFreqs = [4]float64{1209, 1336, 1477, 1633}
	dtmfKeypad   = [4][4]rune{
		{'1', '2', '3', 'A'},
		{'4', '5', '6', 'B'},
		{'7', '8', '9', 'C'},
		{'*', '0', '#', 'D'},
	}
)

// DTMFFrequencies returns the low (row) and high (column) frequency of a
// keypad digit.
func DTMFFrequencies(digit rune) (low, high float64, ok bool) {
	for r, row := range dtmfKeypad {
		for c, d := range row {
			if d == digit {
				return dtmfRowFreqs[r], dtmfColFreqs[c], true
			}
		}
	}
	return 0, 0, false
}

// DTMFEventCode returns the RFC 4733 event code of a keypad digit: '0'-'9'
// are 0-9, '*' is 10, '#' is 11 and 'A'-'D' are 12-15. Lower-case 'a'-'d'
// are accepted.
func DTMFEventCode(digit rune) (uint8, bool) {
	if digit >= 'a' && digit <= 'd' {
		digit -= 'a' - 'A'
	}
	for i, d := range dtmfDigits {
		if d == digit {
			return uint8(i), true
		}
	}
	return 0, false
}

// DTMFDigit returns the keypad digit of an RFC 4733 event code, or false for
// codes above 15 (flash and the other non-DTMF events).
func DTMFDigit(code uint8) (rune, bool) {
	if int(code) >= len(dtmfDigits) {
		return 0, false
	}
	return rune(dtmfDigits[code]), true
}

// DTMFEventSize is the size of an RFC 4733 telephone-event payload.
const DTMFEventSize = 4

// ErrShortDTMFEvent is returned for a telephone-event payload under 4 bytes.
var ErrShortDTMFEvent = errors.New("telephone-event payload shorter than 4 bytes")

// DTMFEvent is one RFC 4733 §2.3 telephone-event payload:
//
//	 0                   1                   2                   3
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|     event     |E|R| volume    |          duration             |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
type DTMFEvent struct {
	Event    uint8  // event code, see DTMFDigit
	End      bool   // the E bit: this packet ends the event
	Volume   uint8  // power level as -dBm0, 0-63
	Duration uint16 // duration so far, in RTP timestamp units
}

// ParseDTMFEvent decodes a telephone-event payload. The reserved bit is
// ignored and bytes after the first four (redundant events, RFC 4733 §2.5.1.5
// relies on RTP redundancy instead) are ignored.
func ParseDTMFEvent(b []byte) (DTMFEvent, error) {
	if len(b) < DTMFEventSize {
		return DTMFEvent{}, fmt.Errorf("parse dtmf event (%d bytes): %w", len(b), ErrShortDTMFEvent)
	}
	return DTMFEvent{
		Event:    b[0],
		End:      b[1]&0x80 != 0,
		Volume:   b[1] & 0x3F,
		Duration: uint16(b[2])<<8 | uint16(b[3]),
	}, nil
}

// Marshal encodes the event as a 4-byte payload; Volume is masked to 6 bits.
func (e DTMFEvent) Marshal() []byte {
	return e.AppendTo(make([]byte, 0, DTMFEventSize))
}

// AppendTo appends the 4-byte payload to b.
func (e DTMFEvent) AppendTo(b []byte) []byte {
	flags := e.Volume & 0x3F
	if e.End {
		flags |= 0x80
	}
	return append(b, e.Event, flags, byte(e.Duration>>8), byte(e.Duration))
}

// Digit returns the keypad digit of the event, if it is one.
func (e DTMFEvent) Digit() (rune, bool) { return DTMFDigit(e.Event) }

// String prints the event for logs: "dtmf 5 end vol=10 dur=800".
func (e DTMFEvent) String() string {
	name := fmt.Sprintf("event%d", e.Event)
	if d, ok := e.Digit(); ok {
		name = "dtmf " + string(d)
	}
	end := ""
	if e.End {
		end = " end"
	}
	return fmt.Sprintf("%s%s vol=%d dur=%d", name, end, e.Volume, e.Duration)
}
