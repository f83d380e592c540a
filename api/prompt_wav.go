package api

import (
	"encoding/binary"
	"fmt"
	"time"
)

// The IVR plays prompts as 8 kHz mono 16-bit linear PCM (configs/prompts);
// an uploaded prompt must be exactly that, and at most MaxPromptLength.
const (
	promptRate     = 8000
	promptBytesSec = promptRate * 2
	// MaxPromptLength is the longest prompt the admin may upload.
	MaxPromptLength = 60 * time.Second
	// maxPromptBody caps an upload: a minute of audio and room for headers.
	maxPromptBody = int64(MaxPromptLength/time.Second)*promptBytesSec + 4096
)

// checkPromptWAV checks that b is a RIFF WAVE file of 8 kHz mono 16-bit PCM
// lasting more than nothing and at most MaxPromptLength, and returns its
// length. The problem names what was found, for the person uploading.
func checkPromptWAV(b []byte) (time.Duration, error) {
	if len(b) < 12 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return 0, fmt.Errorf("not a WAV file (no RIFF WAVE header)")
	}
	var haveFmt bool
	for off := 12; off+8 <= len(b); {
		id, size := string(b[off:off+4]), int(binary.LittleEndian.Uint32(b[off+4:off+8]))
		body := off + 8
		if size < 0 || size > len(b)-body {
			if id == "data" {
				return 0, fmt.Errorf("the data chunk is cut short (%d of %d bytes)", len(b)-body, size)
			}
			return 0, fmt.Errorf("the %q chunk is cut short", id)
		}
		switch id {
		case "fmt ":
			if err := checkPromptFormat(b[body : body+size]); err != nil {
				return 0, err
			}
			haveFmt = true
		case "data":
			if !haveFmt {
				return 0, fmt.Errorf("the data chunk comes before the fmt chunk")
			}
			if size == 0 {
				return 0, fmt.Errorf("the file holds no audio")
			}
			d := time.Duration(size/2) * time.Second / promptRate
			if d > MaxPromptLength {
				return d, fmt.Errorf("%.1f s long; at most %d s", d.Seconds(), int(MaxPromptLength/time.Second))
			}
			return d, nil
		}
		off = body + size + size&1
	}
	if !haveFmt {
		return 0, fmt.Errorf("no fmt chunk")
	}
	return 0, fmt.Errorf("no data chunk")
}

func checkPromptFormat(f []byte) error {
	if len(f) < 16 {
		return fmt.Errorf("the fmt chunk is %d bytes", len(f))
	}
	tag := binary.LittleEndian.Uint16(f[0:2])
	channels := binary.LittleEndian.Uint16(f[2:4])
	rate := binary.LittleEndian.Uint32(f[4:8])
	bits := binary.LittleEndian.Uint16(f[14:16])
	if tag == 0xFFFE && len(f) >= 26 { // WAVE_FORMAT_EXTENSIBLE: the subformat's tag
		tag = binary.LittleEndian.Uint16(f[24:26])
	}
	if tag != 1 || channels != 1 || rate != promptRate || bits != 16 {
		return fmt.Errorf("must be 8000 Hz mono 16-bit PCM, not %d Hz, %d channel(s), %d-bit, format %d", rate, channels, bits, tag)
	}
	return nil
}
