package cli

import "natsx/recorder"

// ExportCmd writes a capture as NDJSON.
type ExportCmd struct {
	File   string `arg:"" help:"capture file" placeholder:"FILE"`
	Format string `default:"ndjson" enum:"ndjson" help:"output format (ndjson)"`
	WhereFlag
}

// Validate compiles --where before the capture is opened.
func (c *ExportCmd) Validate() error { return c.validateWhere() }

// Run writes NDJSON to env.Out.
func (c *ExportCmd) Run(env *Env) error {
	r, err := recorder.Open(c.File)
	if err != nil {
		return err
	}
	defer r.Close()
	_, err = recorder.ExportNDJSONWhere(env.Out, r, c.keepFunc())
	reportProblems(env.Err, r.Problems())
	c.reportMisses(env.Err)
	return err
}
