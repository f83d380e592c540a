package api

import (
	"github.com/cityhotline/hotline/account"
	"github.com/cityhotline/hotline/ticketing"
)

// The real services satisfy the interfaces the API declares.
var (
	_ Tickets  = (*ticketing.Service)(nil)
	_ Accounts = (*account.Service)(nil)
)
