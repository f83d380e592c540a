// The ring tone, made with WebAudio (no sound file): a soft two-note chime
// every two seconds while an offer rings. Browsers only let audio start
// after a user gesture, so unlock() is called from one (the login click, or
// the first key or click after a reload).

export class Ringer {
  constructor({ volume = 0.12 } = {}) {
    this.volume = volume;
    this.ctx = null;
    this.timer = null;
  }

  /** unlock creates (or resumes) the audio context; call it from a gesture. */
  unlock() {
    try {
      if (!this.ctx) this.ctx = new AudioContext({ latencyHint: 'interactive' });
      if (this.ctx.state === 'suspended') this.ctx.resume().catch(() => {});
    } catch { /* no audio output: the panel still flashes */ }
  }

  get ringing() { return this.timer !== null; }

  /** start rings until stop. */
  start() {
    if (this.timer !== null) return;
    this.unlock();
    const chime = () => {
      if (!this.ctx || this.ctx.state !== 'running') return;
      const t0 = this.ctx.currentTime + 0.02;
      this.note(880, t0, 0.35);
      this.note(660, t0 + 0.4, 0.5);
    };
    chime();
    this.timer = setInterval(chime, 2000);
  }

  /** stop silences the ring. */
  stop() {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  note(freq, at, len) {
    const ctx = this.ctx;
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = 'sine';
    osc.frequency.value = freq;
    gain.gain.setValueAtTime(0, at);
    gain.gain.linearRampToValueAtTime(this.volume, at + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, at + len);
    osc.connect(gain).connect(ctx.destination);
    osc.start(at);
    osc.stop(at + len + 0.05);
  }
}
