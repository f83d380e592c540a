package media

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/pion/logging"
)

// levelTrace is below slog's Debug, for pion's packet-level tracing.
const levelTrace = slog.LevelDebug - 4

// pionLoggerFactory adapts pion's scoped loggers to slog, so ICE, DTLS and
// SRTP messages carry the same attributes (agent_leg, agent_id …) as ours.
type pionLoggerFactory struct{ log *slog.Logger }

func (f pionLoggerFactory) NewLogger(scope string) logging.LeveledLogger {
	return pionLogger{log: f.log.With("pion", scope)}
}

// pionLogger maps pion's levels onto slog. pion's Info is protocol chatter
// ("ICE connection state changed") that the agent leg logs itself in its own
// words, so it goes to Debug.
type pionLogger struct{ log *slog.Logger }

func (p pionLogger) logf(level slog.Level, format string, args ...any) {
	if !p.log.Enabled(context.Background(), level) {
		return
	}
	p.log.Log(context.Background(), level, fmt.Sprintf(format, args...))
}

func (p pionLogger) Trace(msg string)                  { p.logf(levelTrace, "%s", msg) }
func (p pionLogger) Tracef(format string, args ...any) { p.logf(levelTrace, format, args...) }
func (p pionLogger) Debug(msg string)                  { p.logf(slog.LevelDebug, "%s", msg) }
func (p pionLogger) Debugf(format string, args ...any) { p.logf(slog.LevelDebug, format, args...) }
func (p pionLogger) Info(msg string)                   { p.logf(slog.LevelDebug, "%s", msg) }
func (p pionLogger) Infof(format string, args ...any)  { p.logf(slog.LevelDebug, format, args...) }
func (p pionLogger) Warn(msg string)                   { p.logf(slog.LevelWarn, "%s", msg) }
func (p pionLogger) Warnf(format string, args ...any)  { p.logf(slog.LevelWarn, format, args...) }
func (p pionLogger) Error(msg string)                  { p.logf(slog.LevelError, "%s", msg) }
func (p pionLogger) Errorf(format string, args ...any) { p.logf(slog.LevelError, format, args...) }

var _ logging.LoggerFactory = pionLoggerFactory{}
