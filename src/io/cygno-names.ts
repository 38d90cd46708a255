/**
 * CYGNO's picture names, shared by the readers of every format that stores pictures under them
 * (ROOT histograms, HDF5 datasets). Parsing a name only: importing this loads no reader.
 */

/**
 * Run and event of a CYGNO picture from its name, `pic_run{run}_ev{event}` (the MIDAS→ROOT
 * converter's histograms_RunNNNNN.root), {} for other names. Only the last part of a path counts.
 */
export function cygnoPictureNumbers(name: string): { run?: number; event?: number } {
  const m = /^pic_run(\d+)_ev(\d+)$/.exec(name.slice(name.lastIndexOf('/') + 1));
  return m ? { run: Number(m[1]), event: Number(m[2]) } : {};
}
