/** The dashboard's stylesheet, shipped inside the agent (no CDN, no build step). */

/** app.css */
export const APP_CSS = String.raw`
:root { --fg: #1b1f24; --muted: #4b5563; --bg: #ffffff; --panel: #f3f4f6; --line: #c8ccd2;
  --accent: #1a56a8; --ok: #0f6b2f; --bad: #a3141c; --warn: #7a4b00; --focus: #f0a800; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.45 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
a { color: var(--accent); }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; box-shadow: 0 0 0 5px #000; }
.skip { position: absolute; left: -999px; top: 0; background: #000; color: #fff; padding: .5rem 1rem; }
.skip:focus { left: 0; z-index: 10; }
.top { display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; align-items: center; padding: .6rem 1rem;
  background: #14213d; color: #fff; }
.top a { color: #fff; }
.top ul { display: flex; gap: 1rem; list-style: none; margin: 0; padding: 0; }
.top a[aria-current=page] { font-weight: 700; text-decoration-thickness: 3px; }
.brand { font-weight: 700; }
.who { margin-left: auto; display: flex; gap: .5rem; align-items: center; }
.who form { margin: 0; }
main { padding: 1rem; max-width: 80rem; margin: 0 auto; }
h1 { font-size: 1.5rem; margin: .2rem 0 1rem; }
h2 { font-size: 1.2rem; margin: 1.5rem 0 .5rem; }
button, input, select { font: inherit; }
button { padding: .3rem .7rem; border: 1px solid #3b4452; border-radius: 4px; background: #fff; color: var(--fg); cursor: pointer; min-height: 2.25rem; }
button:hover { background: #e8edf5; }
button.danger { border-color: var(--bad); color: var(--bad); }
button:disabled { opacity: .55; cursor: not-allowed; }
input, select { padding: .3rem .4rem; border: 1px solid #5b6472; border-radius: 4px; min-height: 2.25rem; }
.figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(11rem, 1fr)); gap: .5rem; margin: 0; }
.figures div { background: var(--panel); padding: .5rem .75rem; border-radius: 6px; }
.figures dt { color: var(--muted); font-size: .85rem; }
.figures dd { margin: 0; font-size: 1.1rem; font-weight: 600; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(20rem, 1fr)); gap: 1rem; }
figure { margin: 0; background: var(--panel); padding: .75rem; border-radius: 6px; }
figcaption { font-weight: 600; margin-bottom: .25rem; }
svg.chart { width: 100%; height: auto; background: #fff; border: 1px solid var(--line); }
.legend { display: flex; flex-wrap: wrap; gap: .25rem 1rem; font-size: .9rem; margin: .4rem 0 0; padding: 0; list-style: none; }
.swatch { display: inline-block; width: 1.2rem; height: .35rem; vertical-align: middle; margin-right: .3rem; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; }
caption { text-align: left; color: var(--muted); padding: .25rem 0; }
th, td { text-align: left; padding: .45rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--panel); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.state { font-weight: 600; }
.reason { color: var(--muted); }
.actions { display: flex; flex-wrap: wrap; gap: .3rem; align-items: center; }
.actions label { display: inline-flex; gap: .25rem; align-items: center; font-size: .9rem; }
.actions input[type=number] { width: 4.2rem; }
.result { font-size: .9rem; min-height: 1.2rem; }
.operations { list-style: none; padding: 0; }
.operations li { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; padding: .3rem 0; }
.operations progress { width: 12rem; }
.op-progress { font-size: .9rem; color: var(--muted); }
.outcome { font-weight: 700; padding: 0 .35rem; border-radius: 3px; }
.outcome-succeeded { color: var(--ok); background: #e3f4e8; }
.outcome-failed, .outcome-interrupted { color: var(--bad); background: #fbe6e7; }
.outcome-rejected { color: var(--warn); background: #fdf1dc; }
.outcome-pending { color: #1d3f8f; background: #e4ebfa; }
.filters { display: grid; grid-template-columns: repeat(auto-fit, minmax(12rem, 1fr)); gap: .5rem 1rem; align-items: end; }
.filters label { display: flex; flex-direction: column; font-size: .9rem; }
.row-buttons { display: flex; flex-wrap: wrap; gap: .5rem; margin: .75rem 0; align-items: center; }
.error { color: var(--bad); font-weight: 600; }
pre.xml { background: var(--panel); padding: .75rem; overflow: auto; max-height: 30rem; font-size: .85rem; }
details pre { white-space: pre-wrap; word-break: break-word; margin: .2rem 0; font-size: .85rem; }
.login { max-width: 26rem; }
.login label { display: block; margin-bottom: .25rem; font-weight: 600; }
.login input { width: 100%; margin-bottom: .75rem; }
.live { color: var(--muted); font-size: .9rem; }
svg.sparkline { display: block; background: #fff; border: 1px solid var(--line); }
.snapshot-tree, .snapshot-tree ul { list-style: none; padding-left: 1.25rem; }
.snapshot-tree li { padding: .25rem 0; }
.snap-name { font-weight: 600; }
img.thumb[hidden] { display: none; }
img.thumb { display: block; margin-top: .3rem; width: 160px; height: auto; max-height: 120px; border: 1px solid var(--line); background: #000; }
.terminal:empty { display: none; }
.terminal { background: #000; min-height: 24rem; padding: .25rem; border-radius: 6px; }
@media (max-width: 700px) {
  main { padding: .6rem; }
  table.cards thead { position: absolute; left: -9999px; }
  table.cards caption { display: block; }
  table.cards, table.cards tbody, table.cards tr, table.cards td { display: block; width: 100%; }
  table.cards tr { border: 1px solid var(--line); border-radius: 6px; margin-bottom: .75rem; padding: .25rem .5rem; }
  table.cards td { border: 0; padding: .25rem 0; text-align: left; }
  table.cards td[data-label]::before { content: attr(data-label) ": "; font-weight: 600; color: var(--muted); }
  .who { margin-left: 0; }
}
`;
