// Package media carries a call's audio: the trunk leg on diago (RTP, codec
// negotiation, playback, DTMF) and the building blocks it is made of —
// G.711 codecs, RFC 4733 telephone-events, in-band DTMF detection, tone
// generation and frequency checks, WAV files, the stereo call recorder and
// the prompt set with number and digit reading.
//
// Media is a pipeline of small readers and writers. Each piece works on
// 16-bit linear PCM ([]int16) at a sample rate it states: the codecs and the
// telephone-event pieces run at the G.711 clock of 8000 Hz; the detector,
// tone helpers, WAV files and the recorder take the rate as a parameter and
// report it (SampleRate) and print themselves (String). Codec knowledge
// (SDP name, static payload type, clock rate, encode and decode) sits in one
// registry: see [Codecs], [CodecByName] and [CodecByPayloadType].
//
// The DSP building blocks do no network I/O and start no goroutines: the
// call that owns a stream feeds them from its own loop.
//
// The package is an adapter: it never imports the domain packages
// (ticketing, agent, ivr, account, call).
package media
