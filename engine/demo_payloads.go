package engine

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
)

// The demo's traffic families and their share of what the publisher sends, in
// parts of demoWeightTotal. Orders get 5 parts because each request draws a
// reply from the responder, so request+reply make up about 10% of all traffic.
const (
	demoWeightSensors   = 40
	demoWeightDrivers   = 30
	demoWeightOrders    = 5
	demoWeightTelemetry = 10
	demoWeightLogs      = 10
	demoWeightTotal     = demoWeightSensors + demoWeightDrivers + demoWeightOrders + demoWeightTelemetry + demoWeightLogs
)

// demoInboxPrefix is where order replies go. A fixed pool of inboxes under it
// keeps the subject tree bounded, unlike real per-request inboxes.
const demoInboxPrefix = "_INBOX.natsxdemo."

// demoTimeLayout is RFC 3339 with milliseconds, written for UTC times.
const demoTimeLayout = "2006-01-02T15:04:05.000Z"

type demoSensorKind struct {
	name, unit     string
	lo, hi, step   float64
	decimals       int
	initLo, initHi float64
}

var demoSensorKinds = []demoSensorKind{
	{name: "temperature", unit: "C", lo: 15, hi: 30, step: 0.08, decimals: 1, initLo: 19, initHi: 24},
	{name: "humidity", unit: "%", lo: 20, hi: 80, step: 0.3, decimals: 1, initLo: 35, initHi: 55},
	{name: "co2", unit: "ppm", lo: 380, hi: 2000, step: 6, decimals: 0, initLo: 420, initHi: 900},
	{name: "occupancy", unit: "people", lo: 0, hi: 60, step: 0.7, decimals: 0, initLo: 0, initHi: 25},
}

var demoBuildings = []string{"hq", "lab", "plant", "depot"}

var demoCities = []struct {
	name     string
	lat, lon float64
}{
	{"berlin", 52.5200, 13.4050},
	{"london", 51.5072, -0.1276},
	{"paris", 48.8566, 2.3522},
	{"madrid", 40.4168, -3.7038},
	{"warsaw", 52.2297, 21.0122},
	{"lisbon", 38.7223, -9.1393},
}

const demoDriversPerCity = 30

// Driver statuses in the order a delivery cycles through them.
var demoDriverStatuses = []string{"available", "en-route", "at-pickup", "delivering", "off-duty"}

var demoDevicePrefixes = []string{"meter", "gw", "pump", "cam"}

const demoDevices = 20

var demoOrderOps = []string{"create", "status", "cancel"}

var demoServices = []string{"api", "auth", "billing", "dispatch", "notifier", "search"}

var demoLevels = []string{"info", "warn", "error"}

// demoLogText holds log messages per level; '#' is replaced by a number.
var demoLogText = [3][]string{
	{
		"GET /v1/orders/ord-# 200 #ms",
		"POST /v1/orders 201 #ms",
		"session refreshed for user u-#",
		"invoice inv-# sent",
		"driver # assigned to order ord-#",
		"push delivered to device # in #ms",
		"query \"pizza\" returned # hits in #ms",
		"cache hit ratio 0.# over # keys",
	},
	{
		"slow request GET /v1/drivers/# took #ms",
		"token for user u-# expires in #s",
		"retrying charge for order ord-# (attempt #)",
		"no driver within #km, widening search",
		"APNs throttled, backing off #ms",
		"index segment # is # MB, merge pending",
	},
	{
		"POST /v1/orders 500 #ms: upstream billing unavailable",
		"login failed for user u-#: invalid password (# attempts)",
		"charge failed for order ord-#: card declined",
		"assignment for order ord-# timed out after #ms",
		"push to device # failed: connection reset",
		"shard # unreachable after #ms",
	},
}

// demoStackLines is the stack-trace-like second line some errors carry, per service.
var demoStackLines = []string{
	"\n    at api.(*OrderHandler).Create(handlers/orders.go:#)",
	"\n    at auth.(*Verifier).Check(verify.go:#)",
	"\n    at billing.(*Invoicer).Charge(invoice.go:#)",
	"\n    at dispatch.(*Router).Assign(router.go:#)",
	"\n    at notifier.(*Pusher).Send(push.go:#)",
	"\n    at search.(*Shard).Query(shard.go:#)",
}

// Colour as console loggers write it; natsx has to sanitize this.
var demoColouredLevels = [3]string{"\x1b[36mINFO\x1b[0m", "\x1b[33mWARN\x1b[0m", "\x1b[31mERROR\x1b[0m"}

var demoPlainLevels = [3]string{"INFO", "WARN", "ERROR"}

type demoSensor struct {
	subject, name string
	kind          *demoSensorKind
	value         float64
	battery       float64
}

type demoDriver struct {
	subject, id, msgIDPrefix string
	centreLat, centreLon     float64
	lat, lon, heading, speed float64
	status                   int
	headers                  bool
	seq                      uint64
}

type demoDevice struct {
	subject string
	id      uint16
	kind    byte
	seq     uint32
}

// demoGen builds the demo's subjects and payloads from one seeded random
// source. It is owned by the publisher goroutine; next reuses one message and
// one buffer so the flood path allocates only for headers that must be unique.
type demoGen struct {
	rng      *rand.Rand
	buf      []byte
	msg      nats.Msg
	sensors  []demoSensor
	drivers  []demoDriver
	devices  []demoDevice
	orders   []string
	logs     [][3]string // per service, per level
	inboxes  []string
	orderSeq uint64

	driverHdr nats.Header
	orderHdr  nats.Header

	// A batch shares one clock reading, so its formatted form is cached.
	tsTime time.Time
	ts     []byte
}

func newDemoGen(seed int64) *demoGen {
	rng := rand.New(rand.NewPCG(uint64(seed), uint64(seed)^0x9e3779b97f4a7c15))
	g := &demoGen{rng: rng, buf: make([]byte, 0, 1024), orderSeq: 100000 + rng.Uint64N(900000)}

	for _, b := range demoBuildings {
		floors := 3 + rng.IntN(4)
		for f := 1; f <= floors; f++ {
			for k := range demoSensorKinds {
				kind := &demoSensorKinds[k]
				name := b + "-" + strconv.Itoa(f) + "-" + kind.name
				g.sensors = append(g.sensors, demoSensor{
					subject: "sensors." + b + "." + strconv.Itoa(f) + "." + kind.name,
					name:    name,
					kind:    kind,
					value:   kind.initLo + rng.Float64()*(kind.initHi-kind.initLo),
					battery: 0.3 + rng.Float64()*0.7,
				})
			}
		}
	}

	for _, c := range demoCities {
		for _, n := range rng.Perm(999)[:demoDriversPerCity] {
			id := strconv.Itoa(n + 1)
			g.drivers = append(g.drivers, demoDriver{
				subject:     "drivers." + c.name + "." + id,
				id:          id,
				msgIDPrefix: c.name + "-" + id + "-",
				centreLat:   c.lat,
				centreLon:   c.lon,
				lat:         c.lat + (rng.Float64()-0.5)*0.1,
				lon:         c.lon + (rng.Float64()-0.5)*0.15,
				heading:     rng.Float64() * 2 * math.Pi,
				speed:       rng.Float64() * 50,
				status:      rng.IntN(len(demoDriverStatuses)),
				headers:     rng.IntN(5) == 0, // drivers on the newer app version send headers
			})
		}
	}

	for i := range demoDevices {
		id := uint16(rng.Uint32())
		kind := byte(i % len(demoDevicePrefixes))
		g.devices = append(g.devices, demoDevice{
			subject: "telemetry." + demoDevicePrefixes[kind] + "-" + fmt.Sprintf("%04x", id) + ".raw",
			id:      id,
			kind:    kind,
			seq:     rng.Uint32(),
		})
	}

	for _, op := range demoOrderOps {
		g.orders = append(g.orders, "orders."+op)
	}
	for _, s := range demoServices {
		var subs [3]string
		for l, lvl := range demoLevels {
			subs[l] = "logs." + s + "." + lvl
		}
		g.logs = append(g.logs, subs)
	}
	for range 16 {
		g.inboxes = append(g.inboxes, demoInboxPrefix+randomToken(rng, 22))
	}

	g.driverHdr = nats.Header{
		"Nats-Msg-Id":  {""},
		"X-Trace-Id":   {""},
		"Content-Type": {"application/json"},
	}
	g.orderHdr = nats.Header{
		"X-Request-Id": {""},
		"Content-Type": {"application/json"},
	}
	return g
}

// subjects lists every subject the generator can publish on, replies included.
func (g *demoGen) subjects() []string {
	var out []string
	for _, s := range g.sensors {
		out = append(out, s.subject)
	}
	for _, d := range g.drivers {
		out = append(out, d.subject)
	}
	out = append(out, g.orders...)
	for _, d := range g.devices {
		out = append(out, d.subject)
	}
	for _, l := range g.logs {
		out = append(out, l[:]...)
	}
	return append(out, g.inboxes...)
}

// next builds the next message. The result and its Data are reused by the
// following call; nats.go copies them on publish.
func (g *demoGen) next(now time.Time) *nats.Msg {
	now = now.UTC()
	m := &g.msg
	m.Reply, m.Header = "", nil
	switch r := g.rng.IntN(demoWeightTotal); {
	case r < demoWeightSensors:
		g.sensor(m, now)
	case r < demoWeightSensors+demoWeightDrivers:
		g.driver(m)
	case r < demoWeightSensors+demoWeightDrivers+demoWeightOrders:
		g.order(m)
	case r < demoWeightSensors+demoWeightDrivers+demoWeightOrders+demoWeightTelemetry:
		g.telemetry(m, now)
	default:
		g.logLine(m, now)
	}
	m.Data = g.buf
	return m
}

func (g *demoGen) sensor(m *nats.Msg, now time.Time) {
	s := &g.sensors[g.rng.IntN(len(g.sensors))]
	k := s.kind
	s.value = bounce(s.value+(g.rng.Float64()*2-1)*k.step, k.lo, k.hi)
	s.battery -= g.rng.Float64() * 0.0005
	if s.battery < 0.05 {
		s.battery = 1 // someone swapped it
	}
	m.Subject = s.subject
	b := append(g.buf[:0], `{"sensor":"`...)
	b = append(b, s.name...)
	b = append(b, `","value":`...)
	b = strconv.AppendFloat(b, s.value, 'f', k.decimals, 64)
	b = append(b, `,"unit":"`...)
	b = append(b, k.unit...)
	b = append(b, `","ts":"`...)
	b = append(b, g.timestamp(now)...)
	b = append(b, `","battery":`...)
	b = strconv.AppendFloat(b, s.battery, 'f', 2, 64)
	g.buf = append(b, '}')
}

func (g *demoGen) driver(m *nats.Msg) {
	d := &g.drivers[g.rng.IntN(len(g.drivers))]
	d.seq++
	if g.rng.IntN(40) == 0 {
		d.status = (d.status + 1) % len(demoDriverStatuses)
	}
	switch demoDriverStatuses[d.status] {
	case "at-pickup", "off-duty":
		d.speed = 0
	default:
		d.speed = bounce(d.speed+(g.rng.Float64()*2-1)*6, 0, 90)
		d.heading += (g.rng.Float64()*2 - 1) * 0.4
		if math.Abs(d.lat-d.centreLat) > 0.08 || math.Abs(d.lon-d.centreLon) > 0.12 {
			d.heading = math.Atan2(d.centreLat-d.lat, d.centreLon-d.lon) // head back to town
		}
		step := d.speed / 3600 * 5 / 111 // ~5 s of driving, in degrees
		d.lat += step * math.Sin(d.heading)
		d.lon += step * math.Cos(d.heading)
	}
	m.Subject = d.subject
	b := append(g.buf[:0], `{"driver":"`...)
	b = append(b, d.id...)
	b = append(b, `","lat":`...)
	b = strconv.AppendFloat(b, d.lat, 'f', 5, 64)
	b = append(b, `,"lon":`...)
	b = strconv.AppendFloat(b, d.lon, 'f', 5, 64)
	b = append(b, `,"speed_kmh":`...)
	b = strconv.AppendFloat(b, d.speed, 'f', 1, 64)
	b = append(b, `,"status":"`...)
	b = append(b, demoDriverStatuses[d.status]...)
	g.buf = append(b, `"}`...)
	if d.headers {
		g.driverHdr["Nats-Msg-Id"][0] = d.msgIDPrefix + strconv.FormatUint(d.seq, 10)
		g.driverHdr["X-Trace-Id"][0] = g.hexID(32)
		m.Header = g.driverHdr
	}
}

func (g *demoGen) order(m *nats.Msg) {
	var op int
	switch r := g.rng.IntN(10); {
	case r < 6:
		op = 0
		g.orderSeq++
	case r < 9:
		op = 1
	default:
		op = 2
	}
	m.Subject = g.orders[op]
	m.Reply = g.inboxes[g.rng.IntN(len(g.inboxes))]
	id := g.orderSeq
	if op != 0 {
		id -= g.rng.Uint64N(50)
	}
	b := append(g.buf[:0], `{"order_id":"ord-`...)
	b = strconv.AppendUint(b, id, 10)
	b = append(b, '"')
	switch op {
	case 0:
		b = append(b, `,"customer":"c-`...)
		b = strconv.AppendInt(b, 1000+g.rng.Int64N(9000), 10)
		b = append(b, `","items":[`...)
		total := 0.0
		for i := range 1 + g.rng.IntN(4) {
			if i > 0 {
				b = append(b, ',')
			}
			qty := 1 + g.rng.IntN(3)
			total += float64(qty) * (2 + float64(g.rng.IntN(2000))/100)
			b = append(b, `{"sku":"SKU-`...)
			b = strconv.AppendInt(b, 1000+g.rng.Int64N(9000), 10)
			b = append(b, `","qty":`...)
			b = strconv.AppendInt(b, int64(qty), 10)
			b = append(b, '}')
		}
		b = append(b, `],"total":`...)
		b = strconv.AppendFloat(b, total, 'f', 2, 64)
	case 2:
		b = append(b, `,"reason":"customer_request"`...)
	}
	g.buf = append(b, '}')
	g.orderHdr["X-Request-Id"][0] = g.hexID(16)
	m.Header = g.orderHdr
}

// telemetry writes a small packed record: magic 0xCA 0xFE, version, device
// kind, device id, sequence, Unix milliseconds, then readings in which about
// a third of the 4-byte slots are zero, as unset fields are on real devices.
func (g *demoGen) telemetry(m *nats.Msg, now time.Time) {
	d := &g.devices[g.rng.IntN(len(g.devices))]
	d.seq++
	m.Subject = d.subject
	n := 16 + g.rng.IntN(512-16+1)
	b := append(g.buf[:0], 0xCA, 0xFE, 0x01, d.kind)
	b = binary.BigEndian.AppendUint16(b, d.id)
	b = binary.BigEndian.AppendUint16(b, uint16(d.seq))
	b = binary.BigEndian.AppendUint64(b, uint64(now.UnixMilli()))
	for len(b) < n {
		v := g.rng.Uint32()
		if v%3 == 0 {
			v = 0
		}
		b = binary.LittleEndian.AppendUint32(b, v)
	}
	g.buf = b[:n]
}

func (g *demoGen) logLine(m *nats.Msg, now time.Time) {
	svc := g.rng.IntN(len(demoServices))
	var lvl int
	switch r := g.rng.IntN(100); {
	case r < 80:
		lvl = 0
	case r < 95:
		lvl = 1
	default:
		lvl = 2
	}
	m.Subject = g.logs[svc][lvl]
	b := append(g.buf[:0], g.timestamp(now)...)
	b = append(b, ' ')
	if g.rng.IntN(500) == 0 {
		b = append(b, demoColouredLevels[lvl]...)
	} else {
		b = append(b, demoPlainLevels[lvl]...)
	}
	b = append(b, ' ')
	b = append(b, demoServices[svc]...)
	b = append(b, ": "...)
	texts := demoLogText[lvl]
	b = g.fill(b, texts[g.rng.IntN(len(texts))])
	if lvl == 2 && g.rng.IntN(2) == 0 {
		b = g.fill(b, demoStackLines[svc])
	}
	g.buf = b
}

// timestamp returns now formatted for payloads, reformatting only when it changes.
func (g *demoGen) timestamp(now time.Time) []byte {
	if g.ts == nil || !now.Equal(g.tsTime) {
		g.tsTime = now
		g.ts = now.AppendFormat(g.ts[:0], demoTimeLayout)
	}
	return g.ts
}

// fill appends tmpl with each '#' replaced by a random number.
func (g *demoGen) fill(b []byte, tmpl string) []byte {
	for i := 0; i < len(tmpl); i++ {
		if tmpl[i] == '#' {
			b = strconv.AppendInt(b, int64(1+g.rng.IntN(999)), 10)
			continue
		}
		b = append(b, tmpl[i])
	}
	return b
}

// hexID returns n random lowercase hex digits (n ≤ 32), like trace and request ids.
func (g *demoGen) hexID(n int) string {
	var a [32]byte
	binary.BigEndian.PutUint64(a[0:], g.rng.Uint64())
	binary.BigEndian.PutUint64(a[8:], g.rng.Uint64())
	const digits = "0123456789abcdef"
	var out [32]byte
	for i := range n {
		v := a[i/2]
		if i%2 == 0 {
			v >>= 4
		}
		out[i] = digits[v&0xf]
	}
	return string(out[:n])
}

// randomToken returns n characters in nuid's alphabet, so the demo's inboxes look like real ones.
func randomToken(rng *rand.Rand, n int) string {
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[rng.IntN(len(alphabet))]
	}
	return string(b)
}

// bounce keeps a random walk inside [lo, hi] by bouncing off the bounds.
func bounce(v, lo, hi float64) float64 {
	if v < lo {
		v = lo + (lo - v)
	}
	if v > hi {
		v = hi - (v - hi)
	}
	return math.Max(lo, math.Min(hi, v))
}
