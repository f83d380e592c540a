package postgres_test

import (
	"testing"

	"github.com/cityhotline/hotline/store/postgres"
	"github.com/cityhotline/hotline/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store { return postgres.OpenTest(t) })
}
