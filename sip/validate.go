package sip

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/emiago/sipgo/sip"
)

// ValidateRequest checks the mandatory header fields of RFC 3261 §8.2 (To,
// From, CSeq, Call-ID, Max-Forwards, Via) and that the CSeq method matches the
// request method. A request that fails must be answered 400 and never reach
// diago, whose handlers dereference these headers unchecked.
func ValidateRequest(req *sip.Request) error {
	if req == nil {
		return errors.New("no request")
	}
	var missing []string
	if req.Via() == nil {
		missing = append(missing, "Via")
	}
	if req.From() == nil {
		missing = append(missing, "From")
	}
	if req.To() == nil {
		missing = append(missing, "To")
	}
	if req.CallID() == nil || strings.TrimSpace(req.CallID().Value()) == "" {
		missing = append(missing, "Call-ID")
	}
	if req.CSeq() == nil {
		missing = append(missing, "CSeq")
	}
	if req.MaxForwards() == nil {
		missing = append(missing, "Max-Forwards")
	}
	if len(missing) > 0 {
		return fmt.Errorf("missing %s", strings.Join(missing, ", "))
	}
	if req.CSeq().MethodName != req.Method {
		return fmt.Errorf("CSeq method %s does not match %s", req.CSeq().MethodName, req.Method)
	}
	if req.Method == sip.INVITE && len(req.Body()) > 0 && !isSDP(req) {
		return errors.New("INVITE body is not application/sdp")
	}
	return nil
}

func isSDP(req *sip.Request) bool {
	ct := req.ContentType()
	return ct != nil && strings.HasPrefix(strings.ToLower(strings.TrimSpace(ct.Value())), "application/sdp")
}

// Offer is what the gateway reads from an SDP offer before accepting a call.
type Offer struct {
	G711           bool   // PCMU or PCMA offered in the first audio stream
	TelephoneEvent int    // its payload type, -1 when not offered
	Direction      string // sendrecv, sendonly, recvonly or inactive
	HoldAddress    bool   // c=IN IP4 0.0.0.0 (RFC 2543 hold)
}

// ParseOffer reads the first audio m-line of an SDP body, its rtpmaps and the
// media direction. It never fails: what it cannot read it leaves out.
func ParseOffer(body []byte) Offer {
	o := Offer{TelephoneEvent: -1, Direction: "sendrecv"}
	fmts := map[string]bool{}
	inAudio, seenAudio := false, false
	for raw := range bytes.Lines(body) {
		line := strings.TrimRight(string(raw), "\r\n")
		switch {
		case strings.HasPrefix(line, "m="):
			inAudio = !seenAudio && strings.HasPrefix(line, "m=audio ")
			if inAudio {
				seenAudio = true
				o.G711 = readFormats(line, fmts)
			}
		case strings.HasPrefix(line, "c=") && strings.Contains(line, " 0.0.0.0"):
			o.HoldAddress = true
		case strings.HasPrefix(line, "a=rtpmap:") && inAudio:
			o.readRtpmap(line, fmts)
		case isDirection(line) && (inAudio || !seenAudio):
			o.Direction = line[2:]
		}
	}
	return o
}

// readFormats records the m-line's payload formats and reports whether a
// static G.711 type (0 PCMU, 8 PCMA) is among them.
func readFormats(mline string, fmts map[string]bool) bool {
	f := strings.Fields(mline)
	g711 := false
	for i := 3; i < len(f); i++ {
		fmts[f[i]] = true
		if f[i] == "0" || f[i] == "8" {
			g711 = true
		}
	}
	return g711
}

func (o *Offer) readRtpmap(line string, fmts map[string]bool) {
	pt, enc, ok := strings.Cut(strings.TrimPrefix(line, "a=rtpmap:"), " ")
	if !ok || !fmts[pt] {
		return
	}
	enc = strings.ToLower(strings.TrimSpace(enc))
	switch {
	case strings.HasPrefix(enc, "pcmu/8000"), strings.HasPrefix(enc, "pcma/8000"):
		o.G711 = true
	case strings.HasPrefix(enc, "telephone-event/8000"):
		var n int
		if _, err := fmt.Sscanf(pt, "%d", &n); err == nil && n >= 0 && n < 128 {
			o.TelephoneEvent = n
		}
	}
}

func isDirection(line string) bool {
	switch line {
	case "a=sendrecv", "a=sendonly", "a=recvonly", "a=inactive":
		return true
	}
	return false
}

// OnHold reports whether an offer puts us on hold (the far end will not send).
func (o Offer) OnHold() bool {
	return o.Direction == "sendonly" || o.Direction == "inactive" || o.HoldAddress
}
