package api

import "github.com/cityhotline/hotline/ticketing"

// lifecycleActions lists the actions of POST /api/v1/tickets/{id}/{action}.
func lifecycleActions() []string { return ticketing.Actions() }
