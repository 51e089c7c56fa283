/** Third-party files the dashboard serves itself (never from a CDN): the terminal for the console. */
export interface VendorAssets {
  /** @xterm/xterm's UMD build (window.Terminal). */
  xtermJs: string;
  xtermCss: string;
  /** @xterm/addon-fit's UMD build (window.FitAddon.FitAddon). */
  fitJs: string;
}
