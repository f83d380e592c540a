package media

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestWAVRoundTrip(t *testing.T) {
	for _, tc := range []struct{ rate, channels int }{{8000, 1}, {8000, 2}, {16000, 1}, {48000, 2}} {
		samples := Tone(440, 50*time.Millisecond, tc.rate*tc.channels, 0.5)
		var buf bytes.Buffer
		if err := WriteWAV(&buf, tc.rate, tc.channels, samples); err != nil {
			t.Fatal(err)
		}
		if buf.Len() != 44+2*len(samples) {
			t.Errorf("file is %d bytes, want %d", buf.Len(), 44+2*len(samples))
		}
		a, err := ReadWAV(&buf)
		if err != nil {
			t.Fatal(err)
		}
		if a.Rate != tc.rate || a.Channels != tc.channels || !slices.Equal(a.Samples, samples) {
			t.Errorf("%d Hz %d ch: read back %v", tc.rate, tc.channels, a)
		}
	}
}

func TestWAVChannelsAndString(t *testing.T) {
	a := &Audio{Rate: 8000, Channels: 2, Samples: []int16{1, -1, 2, -2, 3, -3}}
	if l, r := a.Channel(0), a.Channel(1); !slices.Equal(l, []int16{1, 2, 3}) || !slices.Equal(r, []int16{-1, -2, -3}) {
		t.Errorf("channels %v %v", l, r)
	}
	if a.Channel(2) != nil {
		t.Error("channel 2 of stereo")
	}
	if s := a.String(); s != "8000 Hz stereo, 0.00 s" {
		t.Errorf("String = %q", s)
	}
}

// wavBytes builds a WAV with the given format fields and raw data, and an
// optional chunk before fmt.
func wavBytes(tag uint16, channels, rate, bits int, data []byte, extra string) []byte {
	var b []byte
	b = append(b, "RIFF"...)
	b = binary.LittleEndian.AppendUint32(b, 0)
	b = append(b, "WAVE"...)
	if extra != "" {
		b = append(b, "LIST"...)
		b = binary.LittleEndian.AppendUint32(b, uint32(len(extra)))
		b = append(b, extra...)
		if len(extra)%2 == 1 {
			b = append(b, 0)
		}
	}
	b = append(b, "fmt "...)
	b = binary.LittleEndian.AppendUint32(b, 16)
	b = binary.LittleEndian.AppendUint16(b, tag)
	b = binary.LittleEndian.AppendUint16(b, uint16(channels))
	b = binary.LittleEndian.AppendUint32(b, uint32(rate))
	b = binary.LittleEndian.AppendUint32(b, uint32(rate*channels*bits/8))
	b = binary.LittleEndian.AppendUint16(b, uint16(channels*bits/8))
	b = binary.LittleEndian.AppendUint16(b, uint16(bits))
	b = append(b, "data"...)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(data)))
	return append(b, data...)
}

func TestWAVCompanded(t *testing.T) {
	pcm := Tone(1000, 100*time.Millisecond, 8000, 0.5)
	for _, tc := range []struct {
		tag uint16
		c   Codec
	}{{7, CodecPCMU}, {6, CodecPCMA}} {
		codes := make([]byte, len(pcm))
		tc.c.Encode(codes, pcm)
		a, err := ReadWAV(bytes.NewReader(wavBytes(tc.tag, 1, 8000, 8, codes, "odd")))
		if err != nil {
			t.Fatalf("%v: %v", tc.c, err)
		}
		if len(a.Samples) != len(pcm) || math.Abs(DominantFrequency(a.Samples, 8000)-1000) > 2 {
			t.Errorf("%v WAV: %v at %.1f Hz", tc.c, a, DominantFrequency(a.Samples, 8000))
		}
	}
}

func TestWAVErrors(t *testing.T) {
	pcm16 := make([]byte, 320)
	for _, tc := range []struct {
		name string
		file []byte
		want string
	}{
		{"empty", nil, "header"},
		{"not riff", []byte("RIFX0000WAVEfmt "), "not a RIFF WAVE"},
		{"float", wavBytes(3, 1, 8000, 32, pcm16, ""), "format 3 with 32 bits"},
		{"24-bit", wavBytes(1, 1, 8000, 24, pcm16, ""), "format 1 with 24 bits"},
		{"8-bit pcm", wavBytes(1, 1, 8000, 8, pcm16, ""), "format 1 with 8 bits"},
		{"6 channels", wavBytes(1, 6, 8000, 16, pcm16, ""), "6 channels"},
		{"rate 0", wavBytes(1, 1, 0, 16, pcm16, ""), "sample rate 0"},
		{"no data", wavBytes(1, 1, 8000, 16, pcm16, "")[:36], "no data chunk"},
		{"truncated", wavBytes(1, 1, 8000, 16, pcm16, "")[:100], "unexpected EOF"},
	} {
		_, err := ReadWAV(bytes.NewReader(tc.file))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}
	_, err := ReadWAV(bytes.NewReader(wavBytes(3, 1, 8000, 32, pcm16, "")))
	if !errors.Is(err, ErrUnsupportedWAV) {
		t.Errorf("float WAV error %v is not ErrUnsupportedWAV", err)
	}
	if err := WriteWAV(io.Discard, 8000, 3, nil); !errors.Is(err, ErrUnsupportedWAV) {
		t.Errorf("WriteWAV 3 channels: %v", err)
	}
	if _, err := ReadWAVFile(filepath.Join(t.TempDir(), "missing.wav")); err == nil {
		t.Error("missing file read")
	}
}

func TestWAVWriterStreaming(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rec.wav")
	w, err := CreateWAV(path, 8000, 2)
	if err != nil {
		t.Fatal(err)
	}
	frame := Tone(440, 20*time.Millisecond, 16000, 0.3) // 160 stereo frames
	for range 10 {
		if err := w.Write(frame); err != nil {
			t.Fatal(err)
		}
	}
	// Before any Flush the sizes say "unknown" and a reader takes what is on
	// disk (nothing yet: the samples are buffered).
	a, err := ReadWAVFile(path)
	if err != nil || len(a.Samples) != 0 {
		t.Fatalf("before flush: %v, %v", a, err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	// Killed here: more samples written but never flushed (simulated by
	// writing straight after the declared data).
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write(make([]byte, 100))
	f.Close()
	a, err = ReadWAVFile(path)
	if err != nil || a.Frames() != 1600 || a.Channels != 2 {
		t.Fatalf("after flush: %v, %v; want 1600 stereo frames", a, err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := w.Write(frame); !errors.Is(err, ErrWAVClosed) {
		t.Errorf("Write after Close: %v", err)
	}
	a, err = ReadWAVFile(path)
	if err != nil || !slices.Equal(a.Samples[:len(frame)], frame) {
		t.Fatalf("after close: %v, %v", a, err)
	}
}

// seekBuffer is an in-memory io.WriteSeeker without WriteAt.
type seekBuffer struct {
	b   []byte
	pos int
}

func (s *seekBuffer) Write(p []byte) (int, error) {
	if need := s.pos + len(p); need > len(s.b) {
		s.b = append(s.b, make([]byte, need-len(s.b))...)
	}
	n := copy(s.b[s.pos:], p)
	s.pos += n
	return n, nil
}

func (s *seekBuffer) Seek(off int64, whence int) (int64, error) {
	if whence != io.SeekStart {
		return 0, errors.New("only SeekStart")
	}
	s.pos = int(off)
	return off, nil
}

func TestWAVWriterSeeker(t *testing.T) {
	var sb seekBuffer
	w, err := NewWAVWriter(&sb, 16000, 1)
	if err != nil {
		t.Fatal(err)
	}
	samples := Tone(300, time.Second, 16000, 0.5) // more than one buffer
	for chunk := range slices.Chunk(samples, 320) {
		if err := w.Write(chunk); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	a, err := ReadWAV(bytes.NewReader(sb.b))
	if err != nil || a.Rate != 16000 || !slices.Equal(a.Samples, samples) {
		t.Fatalf("read back %v, %v", a, err)
	}
	if got := binary.LittleEndian.Uint32(sb.b[4:]); got != uint32(36+2*len(samples)) {
		t.Errorf("RIFF size %d", got)
	}
}

func FuzzReadWAV(f *testing.F) {
	var buf bytes.Buffer
	WriteWAV(&buf, 8000, 2, []int16{1, 2, 3, 4})
	f.Add(buf.Bytes())
	f.Add(wavBytes(7, 1, 8000, 8, []byte{0xFF, 0x00, 0x7F}, "x"))
	f.Add(wavBytes(0xFFFE, 1, 8000, 16, nil, ""))
	if b, err := os.ReadFile("testdata/dtmf-123.wav"); err == nil {
		f.Add(b[:200])
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := ReadWAV(bytes.NewReader(b))
		if err != nil {
			return
		}
		if a.Channels < 1 || a.Channels > 2 || a.Rate < 1000 || len(a.Samples)%a.Channels != 0 {
			t.Fatalf("accepted %v with %d samples", a, len(a.Samples))
		}
		if len(a.Samples) > len(b) {
			t.Fatalf("%d samples from %d bytes", len(a.Samples), len(b))
		}
	})
}

func TestWAVExtensible(t *testing.T) {
	pcm := []int16{100, -100, 200, -200}
	var b []byte
	b = append(b, "RIFF\x00\x00\x00\x00WAVEfmt "...)
	b = binary.LittleEndian.AppendUint32(b, 40)
	b = binary.LittleEndian.AppendUint16(b, 0xFFFE)
	b = binary.LittleEndian.AppendUint16(b, 1)
	b = binary.LittleEndian.AppendUint32(b, 8000)
	b = binary.LittleEndian.AppendUint32(b, 16000)
	b = binary.LittleEndian.AppendUint16(b, 2)
	b = binary.LittleEndian.AppendUint16(b, 16)
	b = binary.LittleEndian.AppendUint16(b, 22)                                     // cbSize
	b = binary.LittleEndian.AppendUint16(b, 16)                                     // valid bits
	b = binary.LittleEndian.AppendUint32(b, 4)                                      // channel mask
	b = append(b, 1, 0, 0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xAA, 0, 0x38, 0x9B, 0x71) // KSDATAFORMAT_SUBTYPE_PCM
	b = append(b, "data"...)
	b = binary.LittleEndian.AppendUint32(b, uint32(2*len(pcm)))
	b = appendSamples(b, pcm)
	a, err := ReadWAV(bytes.NewReader(b))
	if err != nil || !slices.Equal(a.Samples, pcm) {
		t.Fatalf("extensible PCM: %v, %v", a, err)
	}
	b[44] = 3 // IEEE float subformat
	if _, err := ReadWAV(bytes.NewReader(b)); !errors.Is(err, ErrUnsupportedWAV) {
		t.Errorf("extensible float: %v", err)
	}
}
