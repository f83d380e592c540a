// Package deskclient is a Go agent softphone: it logs in over the JSON API,
// opens the desk WebSocket (docs/softphone.md) and a pion WebRTC
// PeerConnection as a browser would, sends a tone as its microphone and
// keeps what it hears. Like the desk page, it sends audio only while it has
// a call (from its answer to call_ended, not while held); the
// PeerConnection stays up in between. Tests and the load generator use
// it; everything stays on 127.0.0.1.
package deskclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	"github.com/pion/interceptor"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"

	"github.com/cityhotline/hotline/api/deskproto"
	"github.com/cityhotline/hotline/media"
)

// Frame is one received server message.
type Frame struct {
	Type string
	Raw  json.RawMessage
	At   time.Time
}

// Decode decodes the frame into v.
func (f Frame) Decode(v any) error { return json.Unmarshal(f.Raw, v) }

// Client is one agent's desk.
type Client struct {
	base   string
	token  string
	ws     *websocket.Conn
	wmu    sync.Mutex
	nextID atomic.Int64

	frames  chan Frame
	pmu     sync.Mutex
	pending map[int64]chan Frame

	pc    *webrtc.PeerConnection
	track *webrtc.TrackLocalStaticRTP

	// The microphone: the pacer's goroutine sends a frame of tone on each
	// tick while send is set; pkt and lastTick belong to that goroutine.
	pacer      *Pacer
	ownPacer   bool
	micStarted bool
	tone       atomic.Pointer[toneLoop]
	send       atomic.Bool
	pkt        rtp.Packet
	tsBase     uint32
	lastTick   uint64
	txPkts     atomic.Int64
	stamp      bool                     // StampMic: frames carry their send time
	stampBuf   [media.FrameSamples]byte // the stamped copy of a frame

	// cmu guards the call as this client sees it, which decides send.
	cmu       sync.Mutex
	answering bool // an answer is on its way
	onCall    bool // connected, until call_ended
	held      bool
	me        string // the user ID from the welcome
	whisper   bool   // a supervisor whispering (the server said so)

	amu     sync.Mutex
	heard   ring // decoded audio received (the last maxHeard samples)
	firstRX time.Time
	first   chan struct{} // closed at the first audio packet after a reset
	rxPkts  atomic.Int64
	rxLost  atomic.Int64 // gaps in the received sequence numbers
	// stampDelays are the one-way delays of stamped frames received.
	stampDelays []time.Duration

	Welcome deskproto.Welcome

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// maxHeard bounds the kept audio (30 s).
const maxHeard = 30 * media.G711Rate

// Login gets a token from baseURL (http://127.0.0.1:PORT).
func Login(ctx context.Context, baseURL, username, password string) (string, error) {
	body, _ := json.Marshal(map[string]string{"username": username, "password": password})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, baseURL+"/api/v1/login", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("login %s: %w", username, err)
	}
	defer resp.Body.Close()
	var out struct {
		Token string `json:"token"`
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("login %s: HTTP %d", username, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return "", fmt.Errorf("login %s: %w", username, err)
	}
	return out.Token, nil
}

// Dial logs in and opens the desk WebSocket; Welcome holds the answer.
func Dial(ctx context.Context, baseURL, username, password string) (*Client, error) {
	token, err := Login(ctx, baseURL, username, password)
	if err != nil {
		return nil, err
	}
	return DialToken(ctx, baseURL, token)
}

// DialToken opens the desk WebSocket with a token.
func DialToken(ctx context.Context, baseURL, token string) (*Client, error) {
	u, err := url.Parse(baseURL)
	if err != nil {
		return nil, err
	}
	u.Scheme = strings.Replace(u.Scheme, "http", "ws", 1)
	u.Path = "/api/v1/desk/ws"
	ws, _, err := websocket.DefaultDialer.DialContext(ctx, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("desk websocket: %w", err)
	}
	cctx, cancel := context.WithCancel(context.Background())
	c := &Client{base: baseURL, token: token, ws: ws, frames: make(chan Frame, 4096), pending: map[int64]chan Frame{},
		ctx: cctx, cancel: cancel, first: make(chan struct{})}
	c.tone.Store(newToneLoop(0))
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		c.read()
	}()
	if err := c.Do(ctx, deskproto.Message{Type: deskproto.TypeAuth, Token: token}); err != nil {
		c.Close()
		return nil, fmt.Errorf("desk auth: %w", err)
	}
	f, err := c.Next(ctx, deskproto.TypeWelcome)
	if err != nil {
		c.Close()
		return nil, err
	}
	if err := f.Decode(&c.Welcome); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// read dispatches server frames: acks and errors with an id to their
// waiting Do, everything else (and those too) to Next.
func (c *Client) read() {
	defer close(c.frames)
	for {
		_, b, err := c.ws.ReadMessage()
		if err != nil {
			return
		}
		var head struct {
			Type string `json:"type"`
			ID   int64  `json:"id"`
		}
		if json.Unmarshal(b, &head) != nil {
			continue
		}
		f := Frame{Type: head.Type, Raw: b, At: time.Now()}
		c.follow(f)
		if (head.Type == deskproto.TypeAck || head.Type == deskproto.TypeError) && head.ID != 0 {
			c.pmu.Lock()
			ch := c.pending[head.ID]
			delete(c.pending, head.ID)
			c.pmu.Unlock()
			if ch != nil {
				ch <- f
				continue
			}
		}
		select {
		case c.frames <- f:
		default: // nobody reads: drop the oldest
			select {
			case <-c.frames:
			default:
			}
			c.frames <- f
		}
	}
}

// Send writes a message without waiting for its ack. An answer, or taking
// a call off hold, puts the microphone on the wire first, as the desk page
// does, so that the agent's first words are not lost; putting it on hold
// takes it off.
func (c *Client) Send(m deskproto.Message) error {
	switch {
	case m.Type == deskproto.TypeAnswer:
		c.callState(func() { c.answering = true })
	case m.Type == deskproto.TypeHold && m.On != nil:
		c.callState(func() { c.held = *m.On })
	}
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = c.ws.SetWriteDeadline(time.Now().Add(5 * time.Second))
	return c.ws.WriteMessage(websocket.TextMessage, b)
}

// Do sends m with a fresh id and waits for its ack; an error message
// becomes an *Error.
func (c *Client) Do(ctx context.Context, m deskproto.Message) error {
	m.ID = c.nextID.Add(1)
	ch := make(chan Frame, 1)
	c.pmu.Lock()
	c.pending[m.ID] = ch
	c.pmu.Unlock()
	if err := c.Send(m); err != nil {
		c.refused(m)
		return err
	}
	select {
	case f := <-ch:
		if f.Type == deskproto.TypeError {
			c.refused(m)
			var e deskproto.Error
			_ = f.Decode(&e)
			return &Error{Msg: e}
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("%s: no ack: %w", m.Type, ctx.Err())
	}
}

// Error is a refusal from the server.
type Error struct{ Msg deskproto.Error }

func (e *Error) Error() string { return e.Msg.Code + ": " + e.Msg.Message }

// Next waits for the next message of one of types (any type when none),
// dropping others.
func (c *Client) Next(ctx context.Context, types ...string) (Frame, error) {
	for {
		select {
		case f, ok := <-c.frames:
			if !ok {
				return Frame{}, errors.New("desk websocket closed")
			}
			if len(types) == 0 {
				return f, nil
			}
			for _, t := range types {
				if f.Type == t {
					return f, nil
				}
			}
		case <-ctx.Done():
			return Frame{}, fmt.Errorf("waiting for %v: %w", types, ctx.Err())
		}
	}
}

// SetTone sets the microphone: a sine at hz (0 = silence); a whole number
// of hertz loops seamlessly.
func (c *Client) SetTone(hz float64) { c.tone.Store(newToneLoop(hz)) }

// UsePacer makes the microphone ride on p's clock (shared with other
// clients) instead of one of its own; call it before ConnectRTC.
func (c *Client) UsePacer(p *Pacer) { c.pacer = p }

// ConnectRTC opens the softphone PeerConnection (offerer, PCMU, loopback
// only) and waits until it is connected.
func (c *Client) ConnectRTC(ctx context.Context) error {
	me := &webrtc.MediaEngine{}
	if err := me.RegisterCodec(webrtc.RTPCodecParameters{
		RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypePCMU, ClockRate: 8000, Channels: 1},
		PayloadType:        0,
	}, webrtc.RTPCodecTypeAudio); err != nil {
		return err
	}
	se := webrtc.SettingEngine{}
	se.SetIncludeLoopbackCandidate(true)
	se.SetInterfaceFilter(func(name string) bool { return name == "lo" })
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	// RTCP reports only, as the server and a browser's audio do: pion's
	// defaults add NACK (a copy of every packet sent, kept for
	// retransmission), TWCC and statistics, which a fleet of hundreds pays
	// for on every packet.
	ir := &interceptor.Registry{}
	if err := webrtc.ConfigureRTCPReports(ir); err != nil {
		return err
	}
	api := webrtc.NewAPI(webrtc.WithMediaEngine(me), webrtc.WithSettingEngine(se), webrtc.WithInterceptorRegistry(ir))
	pc, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		return err
	}
	c.pc = pc
	track, err := webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypePCMU, ClockRate: 8000, Channels: 1}, "audio", "deskclient")
	if err != nil {
		return err
	}
	c.track = track
	sender, err := pc.AddTrack(track)
	if err != nil {
		return err
	}
	c.wg.Add(1)
	go func() { // RTCP from the server, so interceptors work
		defer c.wg.Done()
		buf := make([]byte, 1500)
		for {
			if _, _, err := sender.Read(buf); err != nil {
				return
			}
		}
	}()
	pc.OnTrack(func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			c.receive(tr)
		}()
	})
	connected := make(chan struct{})
	var once sync.Once
	pc.OnConnectionStateChange(func(s webrtc.PeerConnectionState) {
		if s == webrtc.PeerConnectionStateConnected {
			once.Do(func() { close(connected) })
		}
	})
	offer, err := pc.CreateOffer(nil)
	if err != nil {
		return err
	}
	gathered := webrtc.GatheringCompletePromise(pc)
	if err := pc.SetLocalDescription(offer); err != nil {
		return err
	}
	select {
	case <-gathered:
	case <-ctx.Done():
		return ctx.Err()
	}
	if err := c.Do(ctx, deskproto.Message{Type: deskproto.TypeRTCOffer, SDP: pc.LocalDescription().SDP}); err != nil {
		return err
	}
	f, err := c.Next(ctx, deskproto.TypeRTCAnswer)
	if err != nil {
		return err
	}
	var ans deskproto.RTCAnswer
	if err := f.Decode(&ans); err != nil {
		return err
	}
	if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: ans.SDP}); err != nil {
		return err
	}
	select {
	case <-connected:
	case <-ctx.Done():
		return fmt.Errorf("peer connection: %w", ctx.Err())
	}
	// The server's view counts: it refuses "ready" until it sees the leg up.
	for {
		f, err := c.Next(ctx, deskproto.TypeRTCState)
		if err != nil {
			return fmt.Errorf("server rtc_state: %w", err)
		}
		var st deskproto.RTCState
		if f.Decode(&st) == nil && st.Connected {
			break
		}
	}
	c.startMic()
	return nil
}

func (c *Client) receive(tr *webrtc.TrackRemote) {
	pcm := make([]int16, 1500)
	buf := make([]byte, 1500)
	pkt := &rtp.Packet{}
	var last uint16
	started := false
	for {
		// Read and Unmarshal into buffers kept for the track: ReadRTP
		// would allocate a buffer and a packet for each one.
		n, _, err := tr.Read(buf)
		if err != nil {
			return
		}
		at := time.Now()
		if pkt.Unmarshal(buf[:n]) != nil || len(pkt.Payload) == 0 {
			continue
		}
		if d := pkt.SequenceNumber - last; started && d > 1 && d < 1000 {
			c.rxLost.Add(int64(d - 1)) // a gap; a large jump is a new stream
		}
		last, started = pkt.SequenceNumber, true
		c.rxPkts.Add(1)
		n = media.DecodeUlaw(pcm, pkt.Payload)
		c.amu.Lock()
		if c.firstRX.IsZero() {
			c.firstRX = at
			close(c.first)
		}
		c.heard.write(pcm[:n])
		c.heardStamp(pkt.Payload, at)
		c.amu.Unlock()
	}
}

// Heard returns the last d of received audio.
func (c *Client) Heard(d time.Duration) []int16 {
	n := int(d.Seconds() * media.G711Rate)
	c.amu.Lock()
	defer c.amu.Unlock()
	return c.heard.last(n)
}

// ResetHeard forgets what was heard so far.
func (c *Client) ResetHeard() {
	c.amu.Lock()
	c.heard.reset()
	if !c.firstRX.IsZero() {
		c.firstRX, c.first = time.Time{}, make(chan struct{})
	}
	c.amu.Unlock()
}

// WaitFirstAudio waits for the first audio packet since the last reset and
// returns its arrival time.
func (c *Client) WaitFirstAudio(ctx context.Context) (time.Time, error) {
	c.amu.Lock()
	first := c.first
	c.amu.Unlock()
	select {
	case <-first:
		return c.FirstAudio(), nil
	case <-ctx.Done():
		return time.Time{}, fmt.Errorf("no audio: %w", ctx.Err())
	}
}

// FirstAudio is when the first audio packet arrived since the last reset.
func (c *Client) FirstAudio() time.Time {
	c.amu.Lock()
	defer c.amu.Unlock()
	return c.firstRX
}

// Token is the session token the client logged in with.
func (c *Client) Token() string { return c.token }

// PacketsSent is the number of audio packets the microphone has sent.
func (c *Client) PacketsSent() int64 { return c.txPkts.Load() }

// Sending reports whether the microphone is on the wire now.
func (c *Client) Sending() bool { return c.send.Load() }

// Packets is the number of audio packets received.
func (c *Client) Packets() int64 { return c.rxPkts.Load() }

// Lost is the number of audio packets missing from the received sequence.
func (c *Client) Lost() int64 { return c.rxLost.Load() }

// DropRTC closes the PeerConnection as a crashed browser tab would.
func (c *Client) DropRTC() {
	if c.pc != nil {
		_ = c.pc.Close()
	}
}

// Close ends everything.
func (c *Client) Close() {
	c.cancel()
	c.stopMic()
	if c.pc != nil {
		_ = c.pc.Close()
	}
	_ = c.ws.Close()
	c.wg.Wait()
}
