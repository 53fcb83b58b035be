// web/app.mjs: the page. Boots the kernel in v86 (web/machine.mjs) with the
// chosen command line and RAM, shows COM1 in an xterm.js terminal (and as
// plain text in #serial), the VGA screen, and live panels drawn from the
// machine's physical memory (web/memory.mjs): the page directory and a page
// table as 32x32 grids, the area lists as bars, the slab classes.
//
// Each grid cell is coloured by what its entry maps: the region of the
// address space (kernel/mm/regions.ts: identity map, areas, the window
// mapped by hand, the mirror) and, in the areas, the kind of area (plain,
// slab, lazy); a lazy area's page not touched yet is parked, reserved but
// not present. The grids are ARIA grids with one Tab stop each: the arrow
// keys move between cells, Enter or Space opens one as a click does.
//
// Keys: the terminal takes what is typed for COM1 (web/wrap.mjs breaks the
// kernel's long lines at spaces), the VGA screen takes keys for the PS/2
// keyboard while it has the focus, and Tab leaves either.
//
// Panels are redrawn a few times a second while the kernel runs, shortly
// after the kernel writes to the serial port (so a monitor command's effect
// shows at once), and once more when the run ends.

import { V86 } from "./libv86.mjs";
import { Terminal } from "./xterm.mjs";
import { bootKernel, describeExit, EXIT_SUCCESS } from "./machine.mjs";
import {
  ENTRIES, KernelMemory, PAGE, PTE_PRESENT, PTE_USER, PTE_WRITABLE, REGIONS, entryFlags, entryFrame, hex,
} from "./memory.mjs";
import { WordWrap } from "./wrap.mjs";

const REFRESH_MS = 250;
const AFTER_OUTPUT_MS = 60;
const $ = (id) => document.getElementById(id);

// --- the files a boot needs, fetched once ---------------------------------

async function fetchBuffer(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.arrayBuffer();
}
const filesReady = Promise.all([
  fetchBuffer("bios/bios.bin"), fetchBuffer("bios/vgabios.bin"), fetchBuffer("kernel.elf"),
  fetch("kernel-symbols.json").then((r) => r.json()),
]).then(([bios, vgaBios, kernel, symbols]) => ({ bios, vgaBios, kernel, symbols }));

// --- the console -------------------------------------------------------------

const terminal = new Terminal({
  cols: 116, rows: 28, convertEol: true, scrollback: 5000, fontSize: 12,
  fontFamily: "ui-monospace, 'DejaVu Sans Mono', monospace",
  theme: { background: "#0d1117", foreground: "#d1d7e0", cursor: "#7ee787" },
});
terminal.open($("terminal"));
const wrap = new WordWrap(terminal.cols);
let pendingSerial = "";
let serialFlush = 0;
function serialOutput(ch) {
  pendingSerial += ch;
  if (!serialFlush) serialFlush = setTimeout(flushSerial, 16);
  scheduleRefresh(AFTER_OUTPUT_MS);
}
function flushSerial() {
  serialFlush = 0;
  terminal.write(wrap.write(pendingSerial));
  $("serial").append(pendingSerial);
  pendingSerial = "";
}

// --- booting ------------------------------------------------------------------

let machine = null;
let memory = null;
let refreshTimer = 0;
let bootCount = 0;

function setStatus(text, state) {
  $("status").textContent = text;
  $("status").dataset.state = state;
}

async function boot(event) {
  event?.preventDefault();
  let files;
  try {
    files = await filesReady;
  } catch (error) {
    setStatus(`could not load the kernel, the BIOS or the symbols: ${error.message}`, "failed");
    return;
  }
  if (machine) machine.stop();
  clearInterval(refreshTimer);
  flushSerial();
  terminal.reset();
  wrap.reset();
  $("serial").textContent = "";
  selected.pde = selected.pte = null;
  const cmdline = $("cmdline").value.trim();
  const memoryMiB = Number($("memory").value);
  const run = ++bootCount;
  const started = performance.now();
  const current = bootKernel(V86, {
    files, wasmPath: "v86.wasm", cmdline, memoryMiB, screen: $("screen"), onSerial: serialOutput,
  });
  machine = current;
  current.setKeyboard(document.activeElement === $("screen"));
  memory = new KernelMemory(current.readPhysical, files.symbols, { cr0: current.cr0, cr3: current.cr3 });
  setStatus(`running: "${cmdline}" with ${memoryMiB} MiB`, "running");
  $("boot").textContent = "Reboot";
  refreshTimer = setInterval(() => scheduleRefresh(0), REFRESH_MS);
  const exit = await current.exited;
  if (run !== bootCount) return;
  clearInterval(refreshTimer);
  flushSerial();
  refresh();
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  setStatus(`${describeExit(exit)} after ${seconds} s: "${cmdline}" with ${memoryMiB} MiB`, exit.code === EXIT_SUCCESS ? "passed" : "failed");
}

$("boot-form").addEventListener("submit", boot);
$("preset").addEventListener("change", () => { $("cmdline").value = $("preset").value; });
$("cmdline").addEventListener("input", () => {
  const typed = $("cmdline").value.trim();
  $("preset").value = [...$("preset").options].some((o) => o.value === typed && !o.hidden) ? typed : "custom";
});
terminal.onData((data) => machine?.sendSerial(data));
// The VGA screen takes keys for the PS/2 keyboard while it has the focus, and
// only then; Tab leaves it (turned off before v86's listener on the window sees the key).
$("screen").addEventListener("focus", () => machine?.setKeyboard(true));
$("screen").addEventListener("blur", () => machine?.setKeyboard(false));
$("screen").addEventListener("keydown", (event) => { if (event.key === "Tab") machine?.setKeyboard(false); });
// Tab leaves the terminal, for the grids and the form (the monitor's line
// editor has no use for a tab); returning false keeps xterm.js from sending it.
terminal.attachCustomKeyEventHandler((event) => event.key !== "Tab");

// --- panels ---------------------------------------------------------------------

// At most one refresh per REFRESH_MS: serial output asks for one soon, unless one just ran.
let refreshSoon = 0;
let lastRefresh = 0;
function scheduleRefresh(ms) {
  if (refreshSoon) return;
  const wait = Math.max(ms, lastRefresh + REFRESH_MS - performance.now());
  refreshSoon = setTimeout(() => { refreshSoon = 0; refresh(); }, wait);
}

const selected = { pde: null, pte: null };

// --- the grids: 32 rows of 32 cells, one Tab stop, arrow keys ------------------

const SIDE = 32;

/**
 * Fills `grid` with 1024 cells in 32 rows (ARIA grid, row, gridcell). One
 * cell is in the Tab order (tabindex 0, the "roving" one); the arrow keys,
 * Home/End (of a row), Ctrl+Home/Ctrl+End (of the grid) and PageUp/PageDown
 * (8 rows) move it; Enter or Space, or a click, calls onPick(index).
 */
function makeGrid(grid, onPick) {
  for (let r = 0; r < SIDE; r++) {
    const row = document.createElement("div");
    row.className = "row";
    row.setAttribute("role", "row");
    for (let c = 0; c < SIDE; c++) {
      const cell = document.createElement("span");
      cell.className = "cell";
      cell.dataset.index = r * SIDE + c;
      cell.setAttribute("role", "gridcell");
      cell.tabIndex = r + c === 0 ? 0 : -1;
      row.append(cell);
    }
    grid.append(row);
  }
  const cells = grid.querySelectorAll(".cell");
  let current = 0;
  const moveTo = (index) => {
    cells[current].tabIndex = -1;
    current = index;
    cells[current].tabIndex = 0;
    cells[current].focus();
  };
  grid.addEventListener("click", (event) => {
    const index = event.target.dataset?.index;
    if (index === undefined) return;
    moveTo(Number(index));
    onPick(Number(index));
  });
  grid.addEventListener("keydown", (event) => {
    const row = Math.floor(current / SIDE);
    const col = current % SIDE;
    const to = {
      ArrowLeft: col > 0 ? current - 1 : current,
      ArrowRight: col < SIDE - 1 ? current + 1 : current,
      ArrowUp: row > 0 ? current - SIDE : current,
      ArrowDown: row < SIDE - 1 ? current + SIDE : current,
      PageUp: Math.max(row - 8, 0) * SIDE + col,
      PageDown: Math.min(row + 8, SIDE - 1) * SIDE + col,
      Home: event.ctrlKey ? 0 : row * SIDE,
      End: event.ctrlKey ? ENTRIES - 1 : row * SIDE + SIDE - 1,
    }[event.key];
    if (to !== undefined) moveTo(to);
    else if (event.key === "Enter" || event.key === " ") onPick(current);
    else return;
    event.preventDefault();
  });
}
makeGrid($("directory"), (i) => { selected.pde = i; selected.pte = null; refresh(); });
makeGrid($("table"), (i) => { if (selected.pde !== null) { selected.pte = i; refresh(); } });

/**
 * Colours, tooltips and labels of one grid: `kind(i, entry)` names the
 * cell's classes, `title(i, entry)` describes it (the tooltip, and the
 * label a screen reader reads).
 */
function paintGrid(grid, entries, kind, title, chosen) {
  const cells = grid.querySelectorAll(".cell");
  for (let i = 0; i < ENTRIES; i++) {
    const cell = cells[i];
    const entry = entries ? entries[i] : 0;
    const name = ["cell", entries ? kind(i, entry) : "", i === chosen ? "selected" : ""].filter(Boolean).join(" ");
    if (cell.className !== name) cell.className = name;
    const text = entries ? title(i, entry) : `${grid.getAttribute("aria-label")}, entry ${i}: nothing to show`;
    if (cell.title !== text) {
      cell.title = text;
      cell.setAttribute("aria-label", text.replaceAll("\n", "; "));
    }
    const isChosen = String(i === chosen);
    if (cell.getAttribute("aria-selected") !== isChosen) cell.setAttribute("aria-selected", isChosen);
  }
}

function refresh() {
  if (!memory) return;
  lastRefresh = performance.now();
  memory.forget();
  try {
    const areas = memory.areas();
    refreshPaging(areas);
    refreshAreas(areas);
    refreshSlabs();
  } catch (error) {
    $("cpu").textContent = `could not read the machine: ${error.message}`;
  }
}

/** The region `va` lies in: { name, start, end } of memory.regions(). */
const regionOf = (regions, va) => regions.find((r) => va >= r.start && va < r.end);

/** The used area holding `va`, or undefined: `used` sorted by start, a binary search. */
function areaAt(used, va) {
  let low = 0;
  let high = used.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (used[mid].start + used[mid].pages * PAGE <= va) low = mid + 1;
    else high = mid;
  }
  const a = used[low];
  return a && a.start <= va ? a : undefined;
}

const areaRange = (a) => `${hex(a.start)}-${hex(a.start + a.pages * PAGE - 1)}`;
const areaWords = (a) => `${a.areaKind}${a.readOnly && a.areaKind === "lazy" ? " read-only" : ""} area ${areaRange(a)} (${plural(a.pages, "page")}, ${a.backedCount} backed)`;

/** An entry in words: present with its frame and flags, parked for a lazy area, or not present. */
function describeEntry(entry, lazy) {
  if (entry & PTE_PRESENT) return `${hex(entry)}: frame ${hex(entryFrame(entry))}, ${entryFlags(entry).join(", ")}`;
  if (memory.parked(entry)) {
    const owner = lazy ? `the ${areaWords(lazy)}` : "a lazy area";
    return `${hex(entry)}: parked (not present, reserved for ${owner}; record ${hex(memory.parkedWord(entry))}): its first touch backs it`;
  }
  return `${hex(entry)}: not present`;
}

/** The classes of a page table's entry for the page at `va`. */
function pageKind(entry, va, region, area, directory) {
  if (memory.parked(entry)) return "parked";
  if (!(entry & PTE_PRESENT)) return "";
  if (region.name === "directories") return "directories";
  if (region.name === "mirror" || entryFrame(entry) === directory) return "mirror";
  if (region.name === "identity") return entry & PTE_WRITABLE ? "identity" : "identity read-only";
  if (region.name === "hand") return "hand";
  if (region.name === "user") return "user";
  return area?.areaKind === "slab" ? "slab" : area?.areaKind === "lazy" ? "lazy" : "area";
}

function refreshPaging(areas) {
  const directory = memory.directoryFrame();
  if (!directory) {
    $("cpu").textContent = `paging off (CR0 ${hex(machine.cr0())})`;
    paintGrid($("directory"), null);
    paintGrid($("table"), null);
    $("table-info").textContent = $("page-info").textContent = "";
    return;
  }
  const regions = memory.regions();
  const used = [...areas.used].sort((a, b) => a.start - b.start);
  const { MIRROR_INDEX } = memory.constants;
  $("cpu").textContent = `CR0 ${hex(machine.cr0())} (PG on) · CR3 ${hex(machine.cr3())}: directory at frame ${hex(directory)}`;
  const pdes = memory.table(directory);
  const pdeBase = (i) => (i << 22) >>> 0;
  const pdeRegions = (i) => regions.filter((r) => r.start < pdeBase(i) + (4 << 20) && r.end > pdeBase(i)).map((r) => REGIONS[r.name]).join(" and ");
  paintGrid($("directory"), pdes,
    (i, e) => !(e & PTE_PRESENT) ? "" : { identity: "identity", areas: "area", user: "user", hand: "hand", directories: "directories", second: "mirror", mirror: "mirror" }[regionOf(regions, pdeBase(i)).name],
    (i, e) => `PDE ${i}: ${hex(pdeBase(i))}-${hex(pdeBase(i) + (4 << 20) - 1)}, ${pdeRegions(i)}\n${describeEntry(e)}${i === MIRROR_INDEX ? "\nthe mirror: points at the directory itself" : ""}`,
    selected.pde);

  if (selected.pde === null) {
    paintGrid($("table"), null);
    $("table-info").textContent = "Open a directory entry (click it, or Tab to the grid, arrows, Enter) to see its page table. Entry 1023 (outlined) is the mirror.";
    $("page-info").textContent = "";
    return;
  }
  const i = selected.pde;
  const pde = pdes[i];
  const base = pdeBase(i);
  $("table-caption").innerHTML = `page table of PDE ${i} <small>${hex(base)}-${hex(base + (4 << 20) - 1)}, 4 KiB a page</small>`;
  if (!(pde & PTE_PRESENT)) {
    paintGrid($("table"), null);
    $("table-info").textContent = `PDE ${i} is not present: no page table, nothing mapped in ${hex(base)}-${hex(base + (4 << 20) - 1)} (${pdeRegions(i)}).`;
    $("page-info").textContent = "";
    return;
  }
  const frame = entryFrame(pde);
  const mirror = frame === directory;
  const ptes = memory.table(frame);
  const pageVa = (j) => (base + j * PAGE) >>> 0;
  const present = ptes.reduce((n, e) => n + (e & PTE_PRESENT), 0);
  const parked = ptes.reduce((n, e) => n + (memory.parked(e) ? 1 : 0), 0);
  $("table-info").textContent = `PDE ${i} = ${describeEntry(pde)}. Its page table is at frame ${hex(frame)}` +
    (mirror ? ` = CR3: the page directory itself. Through this entry the directory's 1024 entries are read as PTEs, so every page table appears at ${hex(base)} + 4 KiB × its PDE number and the directory at ${hex(base + 1023 * PAGE)}.` : ".") +
    ` ${present} present, ${parked} parked, ${ENTRIES - present - parked} not present.`;
  $("table-info").dataset.frame = hex(frame);
  $("table-info").dataset.mirror = mirror;
  paintGrid($("table"), ptes,
    (j, e) => pageKind(e, pageVa(j), regionOf(regions, pageVa(j)), areaAt(used, pageVa(j)), directory),
    (j, e) => {
      const region = regionOf(regions, pageVa(j));
      const area = region.name === "areas" ? areaAt(used, pageVa(j)) : undefined;
      return `${hex(pageVa(j))}: PTE ${j}, ${REGIONS[region.name]}${area ? `, ${areaWords(area)}` : ""}\n${describeEntry(e, area?.areaKind === "lazy" ? area : undefined)}`;
    },
    selected.pte);

  if (selected.pte === null) {
    $("page-info").textContent = "Open a page (click it, or Tab to the grid, arrows, Enter) to see its frame and flags.";
    return;
  }
  const j = selected.pte;
  const pte = ptes[j];
  const va = pageVa(j);
  const region = REGIONS[regionOf(regions, va).name];
  const area = areaAt(used, va);
  if (memory.parked(pte)) {
    $("page-info").textContent = `page ${hex(va)} (PDE ${i}, PTE ${j}, ${region}): PTE ${hex(pte)}, parked: not present, reserved for ` +
      `${area?.areaKind === "lazy" ? `the ${areaWords(area)}` : "a lazy area"}; the entry keeps the area's record, ${hex(memory.parkedWord(pte))}. ` +
      "Its first touch faults and the kernel backs it with a zeroed frame (kernel/mm/fault.ts).";
    return;
  }
  if (!(pte & PTE_PRESENT)) {
    $("page-info").textContent = `page ${hex(va)} (PDE ${i}, PTE ${j}, ${region}): PTE ${hex(pte)}, not present: an access faults.`;
    return;
  }
  const rights = pde & pte;   // the stricter of PDE and PTE (SDM vol. 3, 4.6)
  const what = entryFrame(pte) === directory ? " (the page directory)" : entryFrame(pte) === va ? " (identity: virtual = physical)" : "";
  const where = region === REGIONS.areas && area ? `${region}: the ${areaWords(area)}` : region;
  $("page-info").textContent = `page ${hex(va)} (PDE ${i}, PTE ${j}) → frame ${hex(entryFrame(pte))}${what}. PTE ${hex(pte)}: ${entryFlags(pte).join(", ")}. ` +
    `The CPU allows: ${rights & PTE_WRITABLE ? "read and write" : "read only"}, ${rights & PTE_USER ? "user and supervisor" : "supervisor only"}. Region: ${where}.`;
  $("page-info").dataset.frame = hex(entryFrame(pte));
}

const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;
const size = (bytes) => bytes >= 1 << 30 ? `${(bytes / 2 ** 30).toFixed(1)} GiB` : bytes >= 1 << 20 ? `${(bytes / 2 ** 20).toFixed(1)} MiB` : `${Math.round(bytes / 1024)} KiB`;

// The bar's colours are the legend's (style.css), read once.
const BAR_COLOURS = Object.fromEntries(["free", "slab", "plain", "lazy", "parked"].map((kind) =>
  [kind, getComputedStyle(document.documentElement).getPropertyValue(`--${kind}`).trim()]));

/**
 * Draws the areas over [from, to) on a canvas bar: free, or a used area
 * in its kind's colour; a lazy area's backed pages over its parked ones.
 * Anything narrower than a pixel still gets one.
 */
function paintBar(bar, from, to, areas) {
  const g = bar.getContext("2d");
  const scale = bar.width / (to - from);
  const fill = (colour, start, end) => {
    start = Math.max(start, from);
    end = Math.min(end, to);
    if (end <= start) return;
    g.fillStyle = colour;
    g.fillRect(Math.floor((start - from) * scale), 0, Math.max(1, Math.round((end - start) * scale)), bar.height);
  };
  g.fillStyle = BAR_COLOURS.free;
  g.fillRect(0, 0, bar.width, bar.height);
  for (const a of areas.used) {
    if (a.areaKind !== "lazy") {
      fill(BAR_COLOURS[a.areaKind], a.start, a.start + a.pages * PAGE);
      continue;
    }
    fill(BAR_COLOURS.parked, a.start, a.start + a.pages * PAGE);
    // The backed pages, run by run.
    for (let k = 0; k < a.backed.length; k++) {
      if (!a.backed[k]) continue;
      let n = 1;
      while (k + n < a.backed.length && a.backed[k + n]) n++;
      fill(BAR_COLOURS.lazy, a.start + k * PAGE, a.start + (k + n) * PAGE);
      k += n;
    }
  }
  // A dark line where each area begins, so that neighbours of one kind stay apart (where an area is wide enough).
  g.fillStyle = BAR_COLOURS.free;
  for (const a of areas.used) {
    if (a.start > from && a.start < to && a.pages * PAGE * scale >= 4) g.fillRect(Math.floor((a.start - from) * scale), 0, 1, bar.height);
  }
  const shown = areas.used.filter((a) => a.start < to && a.start + a.pages * PAGE > from).sort((a, b) => a.start - b.start);
  bar.dataset.from = hex(from);
  bar.dataset.to = hex(to);
  bar.title = `${hex(from)}-${hex(to - 1)}: ${plural(shown.length, "used area")}` +
    shown.slice(0, 8).map((a) => `\n${areaRange(a)}  ${plural(a.pages, "page")}  (${a.areaKind}${a.readOnly && a.areaKind === "lazy" ? " read-only" : ""}, ${a.backedCount} backed)`).join("") +
    (shown.length > 8 ? `\n... and ${shown.length - 8} more` : "");
  bar.setAttribute("aria-label", bar.title.replaceAll("\n", "; "));
}

function refreshAreas(a) {
  if (!a.top) {
    $("areas-summary").textContent = "not set up yet";
    return;
  }
  $("areas-summary").textContent = `${plural(a.usedAreas, "used area")} (${plural(a.usedPages, "page")}), ` +
    `${plural(a.freeAreas, "free area")} (${plural(a.freePages, "page")})`;
  const ofKind = (kind) => a.used.filter((r) => r.areaKind === kind);
  const pages = (list, field) => list.reduce((n, r) => n + r[field], 0);
  const lazy = ofKind("lazy");
  $("areas-kinds").textContent = `used areas by kind: ${ofKind("slab").length} slab, ${ofKind("plain").length} plain, ` +
    `${ofKind("lazy").length} lazy (${pages(lazy, "backedCount")} of ${plural(pages(lazy, "pages"), "page")} backed)`;
  paintBar($("areas-whole"), a.base, a.top, a);
  $("areas-whole-from").textContent = hex(a.base);
  $("areas-whole-to").textContent = hex(a.top);
  // The low end: up to a quarter more than the highest used page, at least 64 pages.
  const highest = Math.max(a.base, ...a.used.map((r) => r.start + r.pages * PAGE));
  const lowTo = Math.min(a.top, a.base + Math.max(64 * PAGE, Math.ceil(((highest - a.base) * 1.25) / PAGE) * PAGE));
  paintBar($("areas-low"), a.base, lowTo, a);
  $("areas-low-from").textContent = hex(a.base);
  $("areas-low-to").textContent = `${hex(lowTo)} (${size(lowTo - a.base)})`;
}

function refreshSlabs() {
  const rows = memory.slabs();
  const body = $("slabs").tBodies[0];
  if (rows.length === 0) {
    body.replaceChildren();
    $("slabs-summary").textContent = "not set up yet";
    return;
  }
  const blocks = rows.reduce((n, r) => n + r.inUse, 0);
  $("slabs-summary").textContent = `${plural(blocks, "block")} in use over ${plural(rows.reduce((n, r) => n + r.pages, 0), "page")}`;
  if (body.rows.length !== rows.length) {
    body.replaceChildren(...rows.map(() => {
      const tr = document.createElement("tr");
      tr.innerHTML = `<td class="name"></td><td class="size"></td><td class="in-use"></td><td class="free"></td><td class="slabs"></td><td class="pages"></td><td class="fill"><span class="meter"><span></span></span></td>`;
      return tr;
    }));
  }
  rows.forEach((r, i) => {
    const tr = body.rows[i];
    tr.dataset.size = r.size;
    tr.dataset.class = r.name;
    const set = (cls, text) => { const td = tr.querySelector("." + cls); if (td.textContent !== text) td.textContent = text; };
    set("name", r.name);
    set("size", `${r.size} B`);
    set("in-use", String(r.inUse));
    set("free", String(r.free));
    set("slabs", String(r.slabs));
    set("pages", String(r.pages));
    const total = r.inUse + r.free;
    tr.querySelector(".meter > span").style.width = `${total ? (r.inUse / total) * 100 : 0}%`;
    tr.querySelector(".meter").title = total ? `${r.inUse} of ${total} blocks in use (${Math.round((r.inUse / total) * 100)}%)` : "no slab";
  });
}

