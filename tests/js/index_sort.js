// Minimal DOM stub: 3 rows, check sort by number and text, and filtering.
function cell(text, sort) { return { textContent: text, getAttribute: (a) => a === "data-sort" ? (sort === undefined ? null : String(sort)) : null }; }
function row(name, amount) { const r = { cells: [cell(name, name), cell(amount + " kr.", amount)], textContent: name + " " + amount, style: {} }; return r; }
const rows = [row("Ærø", 300), row("Aarhus", 12000), row("Ishøj", 512)];
const body = { rows: rows.slice(), appendChild(r) { this.rows.splice(this.rows.indexOf(r), 1); this.rows.push(r); } };
const listeners = {};
const ths = [0, 1].map(i => ({ attrs: {}, getAttribute(a) { return this.attrs[a] || null; }, setAttribute(a, v) { this.attrs[a] = v; }, removeAttribute(a) { delete this.attrs[a]; }, addEventListener(e, f) { listeners["th" + i] = f; } }));
ths.forEach(t => t.parentNode = { cells: ths });
const table = { tBodies: [body], tHead: { rows: [{ cells: ths }] } };
const filter = { value: "", addEventListener(e, f) { listeners.filter = f; } };
const count = { textContent: "" };
global.document = { getElementById: (id) => ({ kommuner: table, filter, count })[id] };
require(process.argv[2]);
listeners.th1(); console.log("by amount asc:", body.rows.map(r => r.cells[0].textContent).join(", "));
listeners.th1(); console.log("by amount desc:", body.rows.map(r => r.cells[0].textContent).join(", "));
listeners.th0(); console.log("by name (da):", body.rows.map(r => r.cells[0].textContent).join(", "));
filter.value = "ishøj"; listeners.filter(); console.log("filter:", count.textContent, rows.filter(r => r.style.display !== "none").map(r => r.cells[0].textContent));
