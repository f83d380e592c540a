package account

// UserInput creates an account.
type UserInput struct {
	Username string `json:"username"`
	Name     string `json:"name"`
	Role     string `json:"role"`
	Unit     string `json:"unit"`
	Password string `json:"password"`
}

// UserPatch changes an account; nil fields stay as they are.
type UserPatch struct {
	Name     *string `json:"name"`
	Role     *string `json:"role"`
	Unit     *string `json:"unit"`
	Password *string `json:"password"`
	Disabled *bool   `json:"disabled"`
}
