// The softphone's audio leg (docs/softphone.md, "WebRTC"): one
// RTCPeerConnection per page, negotiated over the desk WebSocket right after
// login and kept open between calls. The browser offers (rtc_offer), the
// server answers with every candidate included (rtc_answer), the browser
// trickles its own candidates (rtc_ice). A failed connection renegotiates
// with an ICE restart; after a reconnect that the server did not resume, a
// new PeerConnection is built.
//
// Both pages use MicLeg, an AudioLeg whose microphone is on the wire only
// while someone can hear it: the desk during a call, the wallboard while its
// supervisor whispers. Their offers are sendrecv from the start (the
// wallboard's without a microphone until the first whisper), so the switch
// is a replaceTrack, never a renegotiation. A bare AudioLeg without a
// stream offers receive-only audio.
//
// Events: "state" (detail {local, server}) whenever either view changes.

const ANSWER_TIMEOUT = 10000;
const DISCONNECTED_GRACE = 4000;
const RETRY_MIN = 2000;
const RETRY_MAX = 30000;

export class AudioLeg extends EventTarget {
  /**
   * @param {import('./ws.js').DeskSocket} sock
   * @param {{audio: HTMLAudioElement}} opts
   */
  constructor(sock, { audio }) {
    super();
    this.sock = sock;
    this.audio = audio;
    this.pc = null;
    this.stream = null;
    this.iceServers = [];
    this.serverConnected = false;
    this.negotiating = false;
    this.again = false;
    this.offerSent = false;
    this.queuedIce = [];
    this.retryDelay = RETRY_MIN;
    this.timers = {};
    this.micLater = false; // a microphone may come after the offer (MicLeg): offer sendrecv anyway
    this.onMessage = (ev) => this.message(ev.detail);
    sock.addEventListener('message', this.onMessage);
  }

  /** local returns the browser's connection state ("none" without one). */
  get local() { return this.pc?.connectionState ?? 'none'; }

  /** connected: both ends see the connection up. */
  get connected() { return this.serverConnected && this.local === 'connected'; }

  /**
   * welcome is called after every (re)authentication. stream is the
   * microphone (null for receive-only).
   */
  welcome(msg, stream) {
    this.stream = stream;
    this.iceServers = (msg.ice_servers ?? []).map((s) => (typeof s === 'string' ? { urls: s } : s));
    if (!this.pc || !msg.resumed || this.pc.connectionState === 'closed') {
      // A fresh session: the server has no PeerConnection for us.
      this.build();
      this.negotiate(false);
    } else if (this.pc.connectionState !== 'connected') {
      this.negotiate(true);
    }
  }

  build() {
    this.teardown();
    this.serverConnected = false;
    const pc = new RTCPeerConnection({ iceServers: this.iceServers, bundlePolicy: 'max-bundle' });
    this.pc = pc;
    const track = this.stream?.getAudioTracks()[0];
    if (track) pc.addTransceiver(track, { direction: 'sendrecv', streams: [this.stream] });
    else pc.addTransceiver('audio', { direction: this.micLater ? 'sendrecv' : 'recvonly' });
    pc.addEventListener('track', (ev) => {
      if (this.pc !== pc) return;
      this.audio.srcObject = ev.streams[0] ?? new MediaStream([ev.track]);
      this.audio.play().catch(() => { /* autoplay refused: plays on the next gesture */ });
    });
    pc.addEventListener('icecandidate', (ev) => {
      if (this.pc !== pc || !ev.candidate || !ev.candidate.candidate) return;
      const c = ev.candidate.toJSON();
      const cand = { candidate: c.candidate };
      if (c.sdpMid != null) cand.sdpMid = c.sdpMid;
      if (c.sdpMLineIndex != null) cand.sdpMLineIndex = c.sdpMLineIndex;
      if (c.usernameFragment != null) cand.usernameFragment = c.usernameFragment;
      if (this.offerSent) this.sendIce(cand);
      else this.queuedIce.push(cand);
    });
    pc.addEventListener('connectionstatechange', () => {
      if (this.pc !== pc) return;
      const st = pc.connectionState;
      clearTimeout(this.timers.disc);
      if (st === 'connected') this.retryDelay = RETRY_MIN;
      if (st === 'failed') this.negotiate(true);
      if (st === 'disconnected') {
        this.timers.disc = setTimeout(() => {
          if (this.pc === pc && pc.connectionState === 'disconnected') this.negotiate(true);
        }, DISCONNECTED_GRACE);
      }
      this.changed();
    });
    this.changed();
  }

  sendIce(candidate) {
    this.sock.send({ type: 'rtc_ice', candidate }, { ack: false }).catch(() => { /* lost with the socket; a restart follows */ });
  }

  /** negotiate sends a (re-)offer; concurrent calls fold into one more round. */
  async negotiate(iceRestart) {
    const pc = this.pc;
    if (!pc || pc.connectionState === 'closed') return;
    if (this.negotiating) { this.again = true; return; }
    if (!this.sock.online) return; // the next welcome negotiates
    this.negotiating = true;
    this.offerSent = false;
    clearTimeout(this.timers.retry);
    try {
      const offer = await pc.createOffer({ iceRestart });
      if (this.pc !== pc) return;
      await pc.setLocalDescription(offer);
      const answered = this.waitAnswer(pc);
      await this.sock.send({ type: 'rtc_offer', sdp: pc.localDescription.sdp });
      this.offerSent = true;
      for (const c of this.queuedIce.splice(0)) this.sendIce(c);
      await answered;
    } catch (err) {
      console.warn('rtc: negotiation failed', err);
      if (this.pc === pc && pc.signalingState === 'have-local-offer') {
        await pc.setLocalDescription({ type: 'rollback' }).catch(() => {});
      }
      this.queuedIce = [];
      if (this.pc === pc) {
        const delay = this.retryDelay;
        this.retryDelay = Math.min(RETRY_MAX, this.retryDelay * 2);
        this.timers.retry = setTimeout(() => this.negotiate(true), delay);
      }
    } finally {
      if (this.pc === pc) this.negotiating = false;
      this.changed();
    }
    if (this.again && this.pc === pc) {
      this.again = false;
      this.negotiate(true);
    }
  }

  waitAnswer(pc) {
    return new Promise((resolve, reject) => {
      this.answerWait = { pc, resolve, reject };
      this.timers.answer = setTimeout(() => {
        if (this.answerWait?.pc === pc) this.answerWait = null;
        reject(new Error('no rtc_answer'));
      }, ANSWER_TIMEOUT);
    });
  }

  async message(msg) {
    if (msg.type === 'rtc_answer') {
      const w = this.answerWait;
      const pc = this.pc;
      if (!pc || pc.signalingState !== 'have-local-offer') return;
      try {
        await pc.setRemoteDescription({ type: 'answer', sdp: msg.sdp });
        if (w?.pc === pc) { clearTimeout(this.timers.answer); this.answerWait = null; w.resolve(); }
      } catch (err) {
        if (w?.pc === pc) { clearTimeout(this.timers.answer); this.answerWait = null; w.reject(err); }
      }
    } else if (msg.type === 'rtc_state') {
      this.serverConnected = !!msg.connected;
      this.changed();
    }
  }

  /** replaceTrack switches the microphone without renegotiating. */
  async replaceTrack(stream) {
    this.stream = stream;
    const sender = this.pc?.getSenders().find((s) => s.track?.kind === 'audio' || s.track === null);
    if (sender) await sender.replaceTrack(stream.getAudioTracks()[0] ?? null);
  }

  /** setMicEnabled stops (or resumes) sending the microphone's sound. */
  setMicEnabled(on) {
    for (const tr of this.stream?.getAudioTracks() ?? []) tr.enabled = on;
  }

  teardown() {
    for (const tm of Object.values(this.timers)) clearTimeout(tm);
    if (this.answerWait) { this.answerWait.reject(new Error('closed')); this.answerWait = null; }
    if (this.pc) {
      try { this.pc.close(); } catch { /* already closed */ }
    }
    this.pc = null;
    this.negotiating = false;
    this.again = false;
    this.queuedIce = [];
  }

  /** close ends the leg for good. */
  close() {
    this.teardown();
    this.sock.removeEventListener('message', this.onMessage);
    this.serverConnected = false;
    this.audio.srcObject = null;
    this.changed();
  }

  changed() {
    this.dispatchEvent(new CustomEvent('state', { detail: { local: this.local, server: this.serverConnected } }));
  }
}

// MicLeg is an AudioLeg with the microphone on the wire only while someone
// can hear it: the desk's from the answer click (before the server bridges,
// so the agent's first words reach the caller) to the end of the call,
// except while the call is on hold (the server forwards nothing then); the
// wallboard's while its supervisor whispers to an agent. In between the
// PeerConnection stays up (no ICE or DTLS handshake to start sending) and
// getUserMedia's stream is kept (no new permission prompt), but the audio
// sender carries no track (replaceTrack(null), no renegotiation): an idle
// microphone never leaves the browser, and the server decrypts no audio
// nobody hears.
export class MicLeg extends AudioLeg {
  sending = false;
  sendQueue = Promise.resolve();

  constructor(sock, opts) {
    super(sock, opts);
    this.micLater = true;
  }

  build() {
    super.build(); // adds the microphone's transceiver; nothing is sent before ICE connects
    this.syncSend();
  }

  /** replaceTrack switches the microphone; it goes on the wire only while sending. */
  async replaceTrack(stream) {
    this.stream = stream;
    await this.syncSend();
  }

  /** setSending puts the microphone on the wire (or takes it off); resolves once done. */
  setSending(on) {
    this.sending = on;
    return this.syncSend();
  }

  // syncSend applies the latest wish; the calls run one after another, so
  // the last one wins whatever order replaceTrack's promises would settle in.
  syncSend() {
    this.sendQueue = this.sendQueue.then(() => this.applySend()).catch((err) => console.warn('rtc: microphone switch failed', err));
    return this.sendQueue;
  }

  async applySend() {
    const pc = this.pc;
    if (!pc || pc.connectionState === 'closed') return;
    const sender = pc.getTransceivers().find((tr) => tr.receiver.track?.kind === 'audio')?.sender;
    if (!sender) return;
    const want = this.sending ? (this.stream?.getAudioTracks()[0] ?? null) : null;
    if (sender.track !== want) await sender.replaceTrack(want);
  }

  get micOnWire() {
    return !!this.pc?.getSenders().some((s) => s.track?.kind === 'audio');
  }

  /** packetsSent: the audio packets this PeerConnection has sent (getStats). */
  async packetsSent() {
    const stats = await this.pc?.getStats();
    let n = 0;
    stats?.forEach((r) => { if (r.type === 'outbound-rtp' && r.kind === 'audio') n += r.packetsSent ?? 0; });
    return n;
  }
}
