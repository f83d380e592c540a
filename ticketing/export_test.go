package ticketing

// Test worlds shared with the external test package.
var (
	TestUnits      = testUnits
	TestCategories = testCategories
	TestRules      = testRules
)
