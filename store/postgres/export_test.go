package postgres

import "context"

// IndexDefs lists the definitions of the current schema's indexes, by name.
func IndexDefs(ctx context.Context, db *DB) ([]string, error) {
	rows, err := db.pool.Query(ctx, `SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY indexname`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var d string
		if err := rows.Scan(&d); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}
