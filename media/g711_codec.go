package media

import (
	"fmt"
	"strings"
)

// G711Rate is the sample rate, and RTP clock rate, of both G.711 codecs.
const G711Rate = 8000

// Codec describes one audio codec the trunk leg can negotiate. It is the one
// place that knows a codec's SDP name, static RTP payload type, clock rate and
// how to convert its payload to and from 16-bit linear PCM.
type Codec struct {
	// Name is the SDP encoding name, as in "a=rtpmap:0 PCMU/8000".
	Name string
	// PayloadType is the static RTP payload type (RFC 3551).
	PayloadType uint8
	// ClockRate is the RTP clock rate and the PCM sample rate in Hz.
	ClockRate int
	// Encode writes min(len(dst), len(pcm)) codes and returns that count.
	Encode func(dst []byte, pcm []int16) int
	// Decode writes min(len(dst), len(payload)) samples and returns that count.
	Decode func(dst []int16, payload []byte) int
}

// String returns the codec as an SDP rtpmap would name it, with its payload
// type: "PCMU/8000 (pt 0)".
func (c Codec) String() string {
	return fmt.Sprintf("%s/%d (pt %d)", c.Name, c.ClockRate, c.PayloadType)
}

// SamplesPerFrame returns the number of samples in a frame of the given
// length in milliseconds (160 for 20 ms of G.711).
func (c Codec) SamplesPerFrame(ms int) int { return c.ClockRate * ms / 1000 }

// The G.711 codecs. Their payload is one byte per sample.
var (
	CodecPCMU = Codec{Name: "PCMU", PayloadType: 0, ClockRate: G711Rate, Encode: EncodeUlaw, Decode: DecodeUlaw}
	CodecPCMA = Codec{Name: "PCMA", PayloadType: 8, ClockRate: G711Rate, Encode: EncodeAlaw, Decode: DecodeAlaw}
)

// Codecs returns the registry in order of preference for an SDP offer.
func Codecs() []Codec { return []Codec{CodecPCMU, CodecPCMA} }

// CodecByName finds a codec by its SDP encoding name, ignoring case.
func CodecByName(name string) (Codec, bool) {
	for _, c := range Codecs() {
		if strings.EqualFold(c.Name, name) {
			return c, true
		}
	}
	return Codec{}, false
}

// CodecByPayloadType finds a codec by its static RTP payload type.
func CodecByPayloadType(pt uint8) (Codec, bool) {
	for _, c := range Codecs() {
		if c.PayloadType == pt {
			return c, true
		}
	}
	return Codec{}, false
}
