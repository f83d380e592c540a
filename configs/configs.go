// Package configs ships the hotline's reference data — handling units,
// category taxonomy, dispatch catalogue, knowledge base and holiday
// calendar — as YAML embedded in the binary, and loads it strictly: an
// unknown key, a dangling reference or a bad enum value is an error that
// names the file, the line and the entry, so a mistake in the data stops the
// server at start instead of misrouting tickets later.
package configs

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/cityhotline/hotline/ticketing"
)

//go:embed reference/*.yaml
var reference embed.FS

// File names inside the reference file system.
const (
	UnitsFile      = "units.yaml"
	CategoriesFile = "categories.yaml"
	CatalogueFile  = "catalogue.yaml"
	KBFile         = "kb.yaml"
	CalendarFile   = "calendar.yaml"
)

// Reference returns the shipped reference data files.
func Reference() fs.FS {
	sub, err := fs.Sub(reference, "reference")
	if err != nil {
		// fs.Sub fails only for an invalid path, and "reference" is valid.
		return reference
	}
	return sub
}

// ReferenceData is everything loaded into the database on first start.
// Units include the district departments expanded from their template.
type ReferenceData struct {
	Units      []*ticketing.Unit
	Categories []*ticketing.Category
	Rules      []*ticketing.Rule
	Articles   []*ticketing.Article
}

// LoadReference reads and validates units.yaml, categories.yaml,
// catalogue.yaml and kb.yaml from fsys. The error, an EINVALID
// *hotline.Error for bad data, lists every problem found.
func LoadReference(fsys fs.FS) (*ReferenceData, error) {
	units, kinds, uerr := loadUnits(fsys)
	cats, cerr := loadCategories(fsys)
	if err := errors.Join(uerr, cerr); err != nil {
		return nil, err
	}
	rules, rerr := loadCatalogue(fsys, units, kinds, cats)
	articles, aerr := loadKB(fsys, cats)
	if err := errors.Join(rerr, aerr); err != nil {
		return nil, err
	}
	return &ReferenceData{Units: units, Categories: cats, Rules: rules, Articles: articles}, nil
}

// shanghai is the zone of every date in the reference data. China has kept
// UTC+8 without daylight saving since 1991, so the fixed zone is exact for
// any date these files hold when the system has no zone database.
var shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*60*60)
	}
	return loc
}()

// parseDate parses an ISO date (2026-01-01) as midnight in Asia/Shanghai.
func parseDate(s string) (time.Time, error) {
	t, err := time.ParseInLocation(time.DateOnly, s, shanghai)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date like 2026-01-01", s)
	}
	return t, nil
}
