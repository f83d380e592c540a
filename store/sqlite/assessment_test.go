package sqlite

import (
	"reflect"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

// groupBySQL is how AssessmentCounts counted before the roll-up (migration
// 0011): one GROUP BY over the month's records. The tests hold the roll-up
// to it.
const groupBySQL = `
SELECT unit, count(*),
	count(*) FILTER (WHERE final AND NOT excluded),
	count(*) FILTER (WHERE final AND NOT excluded AND contacted = 'yes'),
	count(*) FILTER (WHERE final AND NOT excluded AND resolved = 'yes'),
	count(*) FILTER (WHERE final AND NOT excluded AND satisfaction = 'satisfied'),
	count(*) FILTER (WHERE final AND NOT excluded AND satisfaction = 'basically')
FROM callback_answers WHERE month = ? AND tier = ?
GROUP BY unit ORDER BY unit`

func groupByCounts(t *testing.T, db *DB, month ticketing.Month, tier ticketing.Tier) []ticketing.UnitScore {
	t.Helper()
	rows, err := db.write.QueryContext(t.Context(), groupBySQL, month.Key(), string(tier))
	if err != nil {
		t.Fatalf("group by: %v", err)
	}
	defer rows.Close()
	var out []ticketing.UnitScore
	for rows.Next() {
		s := ticketing.UnitScore{Tier: tier, Month: month}
		if err := rows.Scan(&s.Unit, &s.Callbacks, &s.Valid, &s.Contacted, &s.Resolved, &s.Satisfied, &s.Basically); err != nil {
			t.Fatalf("group by: %v", err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("group by: %v", err)
	}
	return out
}

// sameAsGroupBy fails t unless AssessmentCounts equals the GROUP BY for
// every tier of the months, and returns how many units were compared.
func sameAsGroupBy(t *testing.T, db *DB, what string, months ...ticketing.Month) int {
	t.Helper()
	n := 0
	for _, m := range months {
		for _, tier := range ticketing.Tiers {
			got, err := db.AssessmentCounts(t.Context(), m, tier)
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			want := groupByCounts(t, db, m, tier)
			if len(got) == 0 {
				got = nil
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s, %s %s:\n roll-up  %+v\n group by %+v", what, m, tier, got, want)
			}
			n += len(got)
		}
	}
	return n
}

var rollupMonths = []ticketing.Month{{Year: 2026, Month: time.October}, {Year: 2026, Month: time.November},
	{Year: 2026, Month: time.December}}

// rollupVersion is the number of the migration that adds the roll-up.
func rollupVersion(t *testing.T) int {
	t.Helper()
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.name == "assessment_rollup" {
			return m.version
		}
	}
	t.Fatal("no assessment_rollup migration")
	return 0
}

// migrateDownTo reverts migrations until the schema is at version v.
func migrateDownTo(t *testing.T, db *DB, v int) {
	t.Helper()
	for {
		cur, err := db.schemaVersion(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if cur <= v {
			return
		}
		if err := db.MigrateDown(t.Context()); err != nil {
			t.Fatalf("migrate down from %d: %v", cur, err)
		}
	}
}

// recordRollupData stores a few months of answers of several units and
// tiers, one ticket excluded.
func recordRollupData(t *testing.T, db *DB) {
	t.Helper()
	at := time.Date(2026, 11, 10, 10, 0, 0, 0, time.UTC)
	for i, a := range []struct {
		ticket string
		unit   hotline.UnitID
		tier   ticketing.Tier
		at     time.Time
		sat    ticketing.Satisfaction
	}{
		{"T1", "s1", ticketing.TierStreet, at, ticketing.Dissatisfied},
		{"T1", "s1", ticketing.TierStreet, at.Add(time.Hour), ticketing.Satisfied}, // T1's final
		{"T2", "s1", ticketing.TierStreet, at, ticketing.BasicallySatisfied},
		{"T3", "s2", ticketing.TierStreet, at, ticketing.Satisfied}, // excluded below
		{"T4", "d1", ticketing.TierDistrict, at.AddDate(0, -1, 0), ticketing.Satisfied},
		{"T5", "s1", ticketing.TierStreet, at.AddDate(0, 1, 0), ""}, // not valid
	} {
		r := &ticketing.CallbackRecord{Callback: int64(i + 1), Ticket: hotline.TicketID(a.ticket), Unit: a.unit, Tier: a.tier,
			CalledAt: a.at, Reached: true, Contacted: ticketing.AnswerYes, Resolved: ticketing.AnswerNo, Satisfaction: a.sat}
		if err := db.RecordAnswers(t.Context(), r); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.SetExcluded(t.Context(), "T3", true); err != nil {
		t.Fatal(err)
	}
}

// TestAssessmentRollupBackfill stores answers in a schema without the
// roll-up, then migrates: the roll-up starts from the records already
// there, and again after down → up.
func TestAssessmentRollupBackfill(t *testing.T) {
	db := openTest(t)
	migrateDownTo(t, db, rollupVersion(t)-1)
	recordRollupData(t, db)
	if err := db.Migrate(t.Context()); err != nil {
		t.Fatalf("migrate up: %v", err)
	}
	if n := sameAsGroupBy(t, db, "after the back-fill", rollupMonths...); n != 4 {
		t.Fatalf("after the back-fill: %d units counted, want 4", n)
	}
	migrateDownTo(t, db, rollupVersion(t)-1)
	if err := db.Migrate(t.Context()); err != nil {
		t.Fatalf("migrate up again: %v", err)
	}
	sameAsGroupBy(t, db, "after down and up", rollupMonths...)
}

// TestAssessmentRollupRawStatements checks the triggers on writes that
// bypass the store's methods: many rows in one UPDATE moving records
// between months and units, and DELETE.
func TestAssessmentRollupRawStatements(t *testing.T) {
	db := openTest(t)
	recordRollupData(t, db)
	exec := func(what, sql string) {
		t.Helper()
		if _, err := db.write.ExecContext(t.Context(), sql); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	exec("move to December", `UPDATE callback_answers SET month = 202612, unit = unit || 'x' WHERE id % 2 = 0`)
	exec("answers change", `UPDATE callback_answers SET satisfaction = 'basically', contacted = 'no' WHERE id % 3 = 0`)
	exec("refinal", finalsSQL(""))
	sameAsGroupBy(t, db, "after the updates", rollupMonths...)
	exec("delete", `DELETE FROM callback_answers WHERE id % 3 = 1`)
	exec("refinal", finalsSQL(""))
	sameAsGroupBy(t, db, "after the delete", rollupMonths...)
	exec("delete all", `DELETE FROM callback_answers`)
	if n := sameAsGroupBy(t, db, "after deleting all", rollupMonths...); n != 0 {
		t.Fatalf("after deleting all: %d units counted", n)
	}
}
