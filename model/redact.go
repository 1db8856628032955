package model

import "strings"

// RedactURL replaces user:password@ or token@ in every URL of a
// comma-separated list by user:***@ / ***@, so secrets never land in the
// header, logs or capture files. It lives in model so the engine and the
// recorder share one implementation.
func RedactURL(servers string) string {
	parts := strings.Split(servers, ",")
	for i, p := range parts {
		parts[i] = redactOne(p)
	}
	return strings.Join(parts, ",")
}

// redactOne works on the raw text rather than net/url, so malformed URLs are
// redacted too; it takes the last '@' of the whole string because passwords
// may contain unescaped '/' or '@', and over-redacting beats leaking.
func redactOne(s string) string {
	prefix, rest := "", s
	if i := strings.Index(s, "://"); i >= 0 {
		prefix, rest = s[:i+3], s[i+3:]
	}
	at := strings.LastIndex(rest, "@")
	if at < 0 {
		return s
	}
	if user, _, ok := strings.Cut(rest[:at], ":"); ok {
		return prefix + user + ":***@" + rest[at+1:]
	}
	return prefix + "***@" + rest[at+1:]
}
