// Package deskproto is the wire format of the agent desk's WebSocket
// (docs/softphone.md): the one client message shape and the server's
// messages. The api package carries these frames; call implements what they
// mean; the Go test client and the load generator speak them too. It imports
// only the standard library.
package deskproto

import (
	"encoding/json"
	"time"
)

// Client message types.
const (
	TypeAuth       = "auth"
	TypeRTCOffer   = "rtc_offer"
	TypeRTCICE     = "rtc_ice"
	TypeSetState   = "set_state"
	TypeWrapUpDone = "wrapup_done"
	TypeAnswer     = "answer"
	TypeReject     = "reject"
	TypeHold       = "hold"
	TypeMute       = "mute"
	TypeDTMF       = "dtmf"
	TypeTransfer   = "transfer"
	TypeHangup     = "hangup"
	TypeLink       = "link"
	TypeWallboard  = "wallboard"
	TypeListen     = "listen"
)

// Server message types (TypeWallboard is also one).
const (
	TypeWelcome        = "welcome"
	TypeRTCAnswer      = "rtc_answer"
	TypeRTCState       = "rtc_state"
	TypeState          = "state"
	TypeOffer          = "offer"
	TypeOfferCancelled = "offer_cancelled"
	TypeConnected      = "connected"
	TypeHeld           = "held"
	TypeCallEnded      = "call_ended"
	TypeTransferState  = "transfer_state"
	TypeWhisper        = "whisper"
	TypeAck            = "ack"
	TypeError          = "error"
)

// Message is any client message: Type says which fields matter.
type Message struct {
	Type        string        `json:"type"`
	ID          int64         `json:"id,omitempty"`
	Token       string        `json:"token,omitempty"`
	SDP         string        `json:"sdp,omitempty"`
	Candidate   *ICECandidate `json:"candidate,omitempty"`
	State       string        `json:"state,omitempty"`
	Reason      string        `json:"reason,omitempty"`
	Call        string        `json:"call,omitempty"`
	On          *bool         `json:"on,omitempty"`
	Digits      string        `json:"digits,omitempty"`
	Queue       string        `json:"queue,omitempty"`
	Agent       string        `json:"agent,omitempty"`
	Mode        string        `json:"mode,omitempty"` // transfer: blind, warm, or cancel (withdraw a pending warm transfer); listen: listen or whisper
	Note        string        `json:"note,omitempty"`
	Ticket      string        `json:"ticket,omitempty"`
	Disposition string        `json:"disposition,omitempty"`
}

// ICECandidate is the JSON of a browser's RTCIceCandidateInit.
type ICECandidate struct {
	Candidate        string  `json:"candidate"`
	SDPMid           *string `json:"sdpMid,omitempty"`
	SDPMLineIndex    *uint16 `json:"sdpMLineIndex,omitempty"`
	UsernameFragment *string `json:"usernameFragment,omitempty"`
}

// Agent names the person on the desk.
type Agent struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Role string `json:"role"`
}

// Queue names a queue.
type Queue struct {
	Name  string `json:"name"`
	Title string `json:"title"`
}

// State is an agent's state (the "state" message, and inside welcome).
type State struct {
	Type        string     `json:"type,omitempty"`
	State       string     `json:"state"`
	Reason      string     `json:"reason"`
	Since       time.Time  `json:"since"`
	Call        string     `json:"call,omitempty"`
	WrapUpUntil *time.Time `json:"wrapup_until,omitempty"`
	CallsToday  int        `json:"calls_today"`
	Queues      []string   `json:"queues,omitempty"`
}

// Welcome answers auth.
type Welcome struct {
	Type       string     `json:"type"`
	Agent      Agent      `json:"agent"`
	State      *State     `json:"state"`
	Resumed    bool       `json:"resumed"`
	Call       *Connected `json:"call"`
	Queues     []Queue    `json:"queues"`
	Reasons    []string   `json:"reasons"`
	ICEServers []string   `json:"ice_servers"`
}

// RTCAnswer carries the server's SDP answer.
type RTCAnswer struct {
	Type string `json:"type"`
	SDP  string `json:"sdp"`
}

// RTCState is the server's view of the PeerConnection.
type RTCState struct {
	Type      string `json:"type"`
	Connected bool   `json:"connected"`
}

// Offer rings the agent.
type Offer struct {
	Type          string            `json:"type"`
	Call          string            `json:"call"`
	Caller        string            `json:"caller"`
	Queue         string            `json:"queue"`
	QueueTitle    string            `json:"queue_title"`
	Attrs         map[string]string `json:"attrs"`
	WaitedMS      int64             `json:"waited_ms"`
	RingTimeoutMS int64             `json:"ring_timeout_ms"`
	Note          string            `json:"note"`
	TransferredBy string            `json:"transferred_by"`
}

// OfferCancelled stops the ringing.
type OfferCancelled struct {
	Type   string `json:"type"`
	Call   string `json:"call"`
	Reason string `json:"reason"`
}

// Connected says audio flows between the caller and the agent.
type Connected struct {
	Type      string            `json:"type,omitempty"`
	Call      string            `json:"call"`
	Caller    string            `json:"caller"`
	Queue     string            `json:"queue"`
	Attrs     map[string]string `json:"attrs"`
	Recording string            `json:"recording"`
	Since     time.Time         `json:"since"`
	Held      bool              `json:"held"`
	Muted     bool              `json:"muted"`
	// WarmTransfer is the target (as in TransferState) of a warm transfer
	// pending when a resumed desk gets the call back.
	WarmTransfer string `json:"warm_transfer,omitempty"`
}

// Held reports the hold state of a call.
type Held struct {
	Type string `json:"type"`
	Call string `json:"call"`
	On   bool   `json:"on"`
}

// CallEnded says the agent's part in a call is over.
type CallEnded struct {
	Type        string     `json:"type"`
	Call        string     `json:"call"`
	By          string     `json:"by"` // caller | agent | transfer | dropped
	WrapUpUntil *time.Time `json:"wrapup_until,omitempty"`
}

// Warm transfer states (TransferState.State).
const (
	TransferPending   = "pending"   // the target is being offered the call; the agent still talks to the caller
	TransferAnswered  = "answered"  // the target answered; call_ended (by transfer) follows
	TransferCancelled = "cancelled" // withdrawn: the agent keeps the caller
)

// TransferState follows a warm transfer for the agent who asked for it.
type TransferState struct {
	Type   string `json:"type"`
	Call   string `json:"call"`
	State  string `json:"state"`           // pending | answered | cancelled
	Target string `json:"target"`          // the agent's ID for a transfer to an agent, else the queue
	Agent  string `json:"agent,omitempty"` // answered: the name of the agent who took the call
}

// Listen modes (Message.Mode of a listen): a silent listen, or a whisper
// the agent hears too and the caller does not. No mode is a listen.
const (
	ListenModeListen  = "listen"
	ListenModeWhisper = "whisper"
)

// Whisper tells the agent of a call, and the supervisor whispering, that a
// supervisor's whisper started or ended. The caller is never told.
type Whisper struct {
	Type   string `json:"type"`
	Call   string `json:"call"`
	By     string `json:"by"`    // the supervisor's name
	ByID   string `json:"by_id"` // and user ID
	On     bool   `json:"on"`
	Reason string `json:"reason,omitempty"` // on false: stopped (by the supervisor) | ended (the call left the agent) | transfer (warm, to another agent)
}

// Ack confirms a client message.
type Ack struct {
	Type string `json:"type"`
	ID   int64  `json:"id"`
}

// Error refuses a client message (or reports a protocol error, ID 0).
type Error struct {
	Type    string `json:"type"`
	ID      int64  `json:"id,omitempty"`
	Code    string `json:"code"` // invalid | not_found | conflict | forbidden | unauthorized | internal
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// Wallboard is the supervisor's live picture.
type Wallboard struct {
	Type    string           `json:"type"`
	At      time.Time        `json:"at"`
	Queues  []WallboardQueue `json:"queues"`
	ByState map[string]int   `json:"by_state"`
	Agents  []WallboardAgent `json:"agents"`
	Today   KPI              `json:"today"`
}

// WallboardQueue is one queue's tile.
type WallboardQueue struct {
	Name           string `json:"name"`
	Title          string `json:"title"`
	Waiting        int    `json:"waiting"`
	LongestWaitMS  int64  `json:"longest_wait_ms"`
	AgentsReady    int    `json:"agents_ready"`
	AgentsBusy     int    `json:"agents_busy"`
	AgentsLoggedIn int    `json:"agents_logged_in"`
}

// WallboardAgent is one agent's line.
type WallboardAgent struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	State      string    `json:"state"`
	Reason     string    `json:"reason"`
	Since      time.Time `json:"since"`
	Call       string    `json:"call,omitempty"`
	CallsToday int       `json:"calls_today"`
}

// KPI is today's call-centre figures.
type KPI struct {
	Offered      int     `json:"offered"`
	Answered     int     `json:"answered"`
	Abandoned    int     `json:"abandoned"`
	ServiceLevel float64 `json:"service_level"`
	ASAMS        int64   `json:"asa_ms"`
	AbandonRate  float64 `json:"abandon_rate"`
	AHTMS        int64   `json:"aht_ms"`
	Occupancy    float64 `json:"occupancy"`
}

// Type reads just the type of a frame (for a client that dispatches on it).
func Type(frame []byte) string {
	var t struct {
		Type string `json:"type"`
	}
	_ = json.Unmarshal(frame, &t)
	return t.Type
}

// Client is the browser end of one desk WebSocket as the server sees it.
type Client interface {
	// Send queues a server message; it never blocks (a client that cannot
	// keep up is disconnected and resumes when it reconnects).
	Send(msg any)
	// Replace closes the connection because a newer one took over.
	Replace()
}
