package media

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
)

// WAV format tags (the wFormatTag of the fmt chunk).
const (
	wavFormatPCM        = 1
	wavFormatAlaw       = 6
	wavFormatUlaw       = 7
	wavFormatExtensible = 0xFFFE
)

// wavMaxData bounds the data chunk a reader accepts (about 9 hours of
// 8 kHz stereo), so a corrupt header cannot demand a huge allocation.
const wavMaxData = 1 << 30

// wavUnknownSize marks a data or RIFF size that a streaming writer never
// fixed up; the reader then reads to the end of the file.
const wavUnknownSize = 0xFFFFFFFF

// ErrUnsupportedWAV is wrapped by every error about a WAV encoding this
// package does not read.
var ErrUnsupportedWAV = errors.New("unsupported WAV encoding")

// Audio is decoded PCM: interleaved 16-bit samples (left first), their rate
// and channel count.
type Audio struct {
	Rate     int
	Channels int
	Samples  []int16
}

// Frames returns the number of sample frames (samples per channel).
func (a *Audio) Frames() int {
	if a.Channels <= 0 {
		return 0
	}
	return len(a.Samples) / a.Channels
}

// String describes the audio: "8000 Hz mono, 1.50 s".
func (a *Audio) String() string {
	ch := "mono"
	if a.Channels == 2 {
		ch = "stereo"
	} else if a.Channels != 1 {
		ch = fmt.Sprintf("%d channels", a.Channels)
	}
	secs := 0.0
	if a.Rate > 0 {
		secs = float64(a.Frames()) / float64(a.Rate)
	}
	return fmt.Sprintf("%d Hz %s, %.2f s", a.Rate, ch, secs)
}

// Channel returns the samples of one channel (0 is left).
func (a *Audio) Channel(ch int) []int16 {
	if ch < 0 || ch >= a.Channels {
		return nil
	}
	out := make([]int16, 0, a.Frames())
	for i := ch; i < len(a.Samples); i += a.Channels {
		out = append(out, a.Samples[i])
	}
	return out
}

// wavFormat is the part of the fmt chunk the reader uses.
type wavFormat struct {
	tag      uint16
	channels int
	rate     int
	bits     int
}

// ReadWAV decodes a RIFF WAVE file of 16-bit linear PCM, 8-bit μ-law
// (format 7) or 8-bit A-law (format 6), at any rate, with one or two
// channels (WAVE_FORMAT_EXTENSIBLE with those subformats too). Other chunks
// are skipped. A data size of 0 or 0xFFFFFFFF (a streaming writer that never
// finished) means "to the end of the file"; otherwise a short data chunk is
// an error.
func ReadWAV(r io.Reader) (*Audio, error) {
	br := bufio.NewReader(r)
	var riff [12]byte
	if _, err := io.ReadFull(br, riff[:]); err != nil {
		return nil, fmt.Errorf("read wav header: %w", err)
	}
	if string(riff[0:4]) != "RIFF" || string(riff[8:12]) != "WAVE" {
		return nil, errors.New("read wav: not a RIFF WAVE file")
	}
	var format *wavFormat
	for {
		id, size, err := readChunkHeader(br)
		if err != nil {
			return nil, fmt.Errorf("read wav: %w", err)
		}
		switch id {
		case "fmt ":
			if format, err = readFormat(br, size); err != nil {
				return nil, fmt.Errorf("read wav: %w", err)
			}
		case "data":
			if format == nil {
				return nil, errors.New("read wav: data chunk before fmt chunk")
			}
			return readData(br, format, size)
		default:
			if err := skipChunk(br, size); err != nil {
				return nil, fmt.Errorf("read wav: skip %q chunk: %w", id, err)
			}
		}
	}
}

// ReadWAVFile reads a WAV file from disk.
func ReadWAVFile(path string) (*Audio, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read wav: %w", err)
	}
	defer f.Close()
	a, err := ReadWAV(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return a, nil
}

func readChunkHeader(r io.Reader) (string, uint32, error) {
	var h [8]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		if errors.Is(err, io.EOF) {
			return "", 0, errors.New("no data chunk")
		}
		return "", 0, fmt.Errorf("chunk header: %w", err)
	}
	return string(h[0:4]), binary.LittleEndian.Uint32(h[4:8]), nil
}

// skipChunk discards a chunk body and its pad byte.
func skipChunk(r io.Reader, size uint32) error {
	n := int64(size) + int64(size&1)
	if _, err := io.CopyN(io.Discard, r, n); err != nil {
		return err
	}
	return nil
}

func readFormat(r io.Reader, size uint32) (*wavFormat, error) {
	if size < 16 || size > 1024 {
		return nil, fmt.Errorf("fmt chunk of %d bytes", size)
	}
	b := make([]byte, int(size)+int(size&1))
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, fmt.Errorf("fmt chunk: %w", err)
	}
	f := &wavFormat{
		tag:      binary.LittleEndian.Uint16(b[0:2]),
		channels: int(binary.LittleEndian.Uint16(b[2:4])),
		rate:     int(binary.LittleEndian.Uint32(b[4:8])),
		bits:     int(binary.LittleEndian.Uint16(b[14:16])),
	}
	if f.tag == wavFormatExtensible {
		if size < 40 {
			return nil, fmt.Errorf("extensible fmt chunk of %d bytes", size)
		}
		f.tag = binary.LittleEndian.Uint16(b[24:26]) // first bytes of the subformat GUID
	}
	return f, f.check()
}

// check rejects what ReadWAV cannot decode, saying what it found.
func (f *wavFormat) check() error {
	switch {
	case f.channels < 1 || f.channels > 2:
		return fmt.Errorf("%w: %d channels (want 1 or 2)", ErrUnsupportedWAV, f.channels)
	case f.rate < 1000 || f.rate > 192000:
		return fmt.Errorf("%w: sample rate %d Hz", ErrUnsupportedWAV, f.rate)
	case f.tag == wavFormatPCM && f.bits == 16:
		return nil
	case (f.tag == wavFormatUlaw || f.tag == wavFormatAlaw) && f.bits == 8:
		return nil
	}
	return fmt.Errorf("%w: format %d with %d bits per sample (want 16-bit PCM, 8-bit μ-law or A-law)",
		ErrUnsupportedWAV, f.tag, f.bits)
}

func readData(r io.Reader, f *wavFormat, size uint32) (*Audio, error) {
	strict := size != 0 && size != wavUnknownSize
	limit := int64(wavMaxData)
	if strict {
		limit = int64(size)
	}
	raw, err := io.ReadAll(io.LimitReader(r, limit))
	if err != nil {
		return nil, fmt.Errorf("read wav data: %w", err)
	}
	if strict && int64(len(raw)) < limit {
		return nil, fmt.Errorf("read wav data: %d of %d bytes: %w", len(raw), size, io.ErrUnexpectedEOF)
	}
	a := &Audio{Rate: f.rate, Channels: f.channels, Samples: decodeWAVData(raw, f.tag)}
	a.Samples = a.Samples[:a.Frames()*a.Channels] // drop a partial frame
	return a, nil
}

func decodeWAVData(raw []byte, tag uint16) []int16 {
	switch tag {
	case wavFormatUlaw:
		out := make([]int16, len(raw))
		DecodeUlaw(out, raw)
		return out
	case wavFormatAlaw:
		out := make([]int16, len(raw))
		DecodeAlaw(out, raw)
		return out
	}
	out := make([]int16, len(raw)/2)
	for i := range out {
		out[i] = int16(binary.LittleEndian.Uint16(raw[2*i:]))
	}
	return out
}

// wavHeader returns the 44-byte header of a 16-bit PCM file with dataBytes
// of samples.
func wavHeader(rate, channels int, dataBytes uint32) []byte {
	h := make([]byte, 0, 44)
	h = append(h, "RIFF"...)
	h = binary.LittleEndian.AppendUint32(h, riffSize(dataBytes))
	h = append(h, "WAVEfmt "...)
	h = binary.LittleEndian.AppendUint32(h, 16)
	h = binary.LittleEndian.AppendUint16(h, wavFormatPCM)
	h = binary.LittleEndian.AppendUint16(h, uint16(channels))
	h = binary.LittleEndian.AppendUint32(h, uint32(rate))
	h = binary.LittleEndian.AppendUint32(h, uint32(rate*channels*2))
	h = binary.LittleEndian.AppendUint16(h, uint16(channels*2))
	h = binary.LittleEndian.AppendUint16(h, 16)
	h = append(h, "data"...)
	return binary.LittleEndian.AppendUint32(h, dataBytes)
}

func riffSize(dataBytes uint32) uint32 {
	if dataBytes == wavUnknownSize {
		return wavUnknownSize
	}
	return 36 + dataBytes
}

func checkWriteFormat(rate, channels int) error {
	if rate < 1000 || rate > 192000 || channels < 1 || channels > 2 {
		return fmt.Errorf("write wav: %w: %d Hz, %d channels", ErrUnsupportedWAV, rate, channels)
	}
	return nil
}

// WriteWAV writes interleaved 16-bit samples as a complete PCM WAV file.
func WriteWAV(w io.Writer, rate, channels int, samples []int16) error {
	if err := checkWriteFormat(rate, channels); err != nil {
		return err
	}
	n := len(samples) * 2
	if n > wavMaxData {
		return fmt.Errorf("write wav: %d bytes of samples is too long", n)
	}
	buf := wavHeader(rate, channels, uint32(n))
	buf = appendSamples(buf, samples)
	if _, err := w.Write(buf); err != nil {
		return fmt.Errorf("write wav: %w", err)
	}
	return nil
}

// WriteWAVFile writes a WAV file to disk, replacing it.
func WriteWAVFile(path string, rate, channels int, samples []int16) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("write wav: %w", err)
	}
	if err := WriteWAV(f, rate, channels, samples); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write wav %s: %w", path, err)
	}
	return nil
}

func appendSamples(b []byte, samples []int16) []byte {
	for _, s := range samples {
		b = binary.LittleEndian.AppendUint16(b, uint16(s))
	}
	return b
}
