package media

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
)

// wavWriterBuffer is how many bytes WAVWriter gathers before writing them.
const wavWriterBuffer = 32 << 10

// wavMaxStream is the largest data chunk a 32-bit RIFF size can describe.
const wavMaxStream = wavUnknownSize - 36 - 1

// ErrWAVClosed is returned by writes to a closed WAVWriter.
var ErrWAVClosed = errors.New("wav writer closed")

// WAVWriter streams 16-bit PCM to a WAV file whose length is not known in
// advance. The header is written first with the sizes set to 0xFFFFFFFF
// ("unknown", which ReadWAV and most tools read to the end of the file), and
// every Flush writes the buffered samples and then the real sizes into the
// header. So a file whose writer was killed mid-call (a crash, kill -9) is
// still a valid WAV up to its last Flush; samples written after it may be
// on disk but beyond the declared size. Close flushes and, for CreateWAV,
// closes the file.
//
// It is not safe for concurrent use.
type WAVWriter struct {
	w        io.WriteSeeker
	closer   io.Closer // the file CreateWAV opened, or nil
	rate     int
	channels int
	buf      []byte
	data     uint32 // bytes of samples written to w
	err      error  // the first write error, returned from then on
	closed   bool
}

// NewWAVWriter writes a WAV header to w and returns a writer for the samples.
// Close does not close w.
func NewWAVWriter(w io.WriteSeeker, rate, channels int) (*WAVWriter, error) {
	if err := checkWriteFormat(rate, channels); err != nil {
		return nil, err
	}
	if _, err := w.Write(wavHeader(rate, channels, wavUnknownSize)); err != nil {
		return nil, fmt.Errorf("write wav header: %w", err)
	}
	return &WAVWriter{w: w, rate: rate, channels: channels, buf: make([]byte, 0, wavWriterBuffer)}, nil
}

// CreateWAV creates (or truncates) the file at path and returns a writer
// that closes it on Close.
func CreateWAV(path string, rate, channels int) (*WAVWriter, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("create wav: %w", err)
	}
	w, err := NewWAVWriter(f, rate, channels)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("create wav %s: %w", path, err)
	}
	w.closer = f
	return w, nil
}

// String describes the writer: "wav writer 8000 Hz 2 ch".
func (w *WAVWriter) String() string {
	return fmt.Sprintf("wav writer %d Hz %d ch", w.rate, w.channels)
}

// SampleRate returns the rate written in the header.
func (w *WAVWriter) SampleRate() int { return w.rate }

// Write appends interleaved samples. They reach the file when the buffer
// fills, on Flush or on Close.
func (w *WAVWriter) Write(samples []int16) error {
	if w.closed {
		return ErrWAVClosed
	}
	if w.err != nil {
		return w.err
	}
	if uint64(w.data)+uint64(len(w.buf))+2*uint64(len(samples)) > wavMaxStream {
		w.err = errors.New("write wav: file would exceed 4 GiB")
		return w.err
	}
	w.buf = appendSamples(w.buf, samples)
	if len(w.buf) >= wavWriterBuffer {
		return w.writeBuffer()
	}
	return nil
}

func (w *WAVWriter) writeBuffer() error {
	if len(w.buf) == 0 {
		return nil
	}
	n, err := w.w.Write(w.buf)
	w.data += uint32(n)
	w.buf = w.buf[:0]
	if err != nil {
		w.err = fmt.Errorf("write wav data: %w", err)
	}
	return w.err
}

// Flush writes the buffered samples and updates the header's sizes, so the
// file is complete up to here.
func (w *WAVWriter) Flush() error {
	if w.closed {
		return ErrWAVClosed
	}
	if err := w.writeBuffer(); err != nil {
		return err
	}
	if err := w.writeSizes(); err != nil {
		w.err = err
	}
	return w.err
}

// writeSizes patches the RIFF and data sizes (offsets 4 and 40) and leaves
// the write position at the end of the data.
func (w *WAVWriter) writeSizes() error {
	patch := func(off int64, v uint32) error {
		b := binary.LittleEndian.AppendUint32(nil, v)
		if wa, ok := w.w.(io.WriterAt); ok {
			_, err := wa.WriteAt(b, off)
			return err
		}
		if _, err := w.w.Seek(off, io.SeekStart); err != nil {
			return err
		}
		_, err := w.w.Write(b)
		return err
	}
	if err := patch(4, riffSize(w.data)); err != nil {
		return fmt.Errorf("write wav sizes: %w", err)
	}
	if err := patch(40, w.data); err != nil {
		return fmt.Errorf("write wav sizes: %w", err)
	}
	if _, ok := w.w.(io.WriterAt); !ok {
		if _, err := w.w.Seek(44+int64(w.data), io.SeekStart); err != nil {
			return fmt.Errorf("write wav sizes: %w", err)
		}
	}
	return nil
}

// Close flushes and, when CreateWAV opened the file, closes it. A second
// Close returns nil.
func (w *WAVWriter) Close() error {
	if w.closed {
		return nil
	}
	err := w.Flush()
	w.closed = true
	if w.closer != nil {
		if cerr := w.closer.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("close wav: %w", cerr)
		}
	}
	return err
}
