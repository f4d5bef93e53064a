// Train on your own images: drop files or a folder (sub-folder names become labels). The files go to the
// training worker of this tab, which decodes and resizes them; nothing is sent anywhere.

import { useRef, useState, type DragEvent } from 'react';
import { MAX_UPLOAD_CLASSES, MAX_UPLOAD_IMAGES, MAX_UPLOAD_PIXELS } from '../../core/data/from_images';
import { datasetInfo } from '../../core/data/registry';
import { useApp } from '../../state/store';
import { MAX_UPLOAD_FILE_BYTES, type UploadItem } from '../../worker/protocol';
import { Panel } from '../common/Panel';
import { PreviewStrip } from './PreviewStrip';

const MAX_FILE_MB = MAX_UPLOAD_FILE_BYTES / 2 ** 20;

interface Picked {
  items: UploadItem[];
  skipped: string[];
}

const isImage = (f: File) => f.type.startsWith('image/') || /\.(png|jpe?g|gif|webp|bmp|avif)$/i.test(f.name);

/** Files from an <input webkitdirectory> or a plain multi-file input; the parent folder is the label. */
function fromFileList(files: FileList): Picked {
  const items: UploadItem[] = [];
  const skipped: string[] = [];
  for (const f of Array.from(files)) {
    if (!isImage(f)) {
      skipped.push(`${f.name}: not an image`);
      continue;
    }
    const parts = (f.webkitRelativePath || f.name).split('/');
    items.push({ file: f, name: f.name, label: parts.length >= 3 ? parts[parts.length - 2] : undefined });
  }
  return { items, skipped };
}

function readEntries(dir: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = dir.createReader();
  const all: FileSystemEntry[] = [];
  return new Promise((resolve, reject) => {
    const next = () =>
      reader.readEntries((batch) => {
        if (batch.length === 0) resolve(all);
        else {
          all.push(...batch);
          next();
        }
      }, reject);
    next();
  });
}

/** Dropped files and folders (DataTransferItem.webkitGetAsEntry), walked recursively; label = parent folder. */
async function fromDrop(dt: DataTransfer): Promise<Picked> {
  const out: Picked = { items: [], skipped: [] };
  const walk = async (entry: FileSystemEntry, parent: string | undefined): Promise<void> => {
    if (out.items.length > MAX_UPLOAD_IMAGES) return;
    if (entry.isFile) {
      const file = await new Promise<File>((res, rej) => (entry as FileSystemFileEntry).file(res, rej));
      if (isImage(file)) out.items.push({ file, name: file.name, label: parent });
      else out.skipped.push(`${file.name}: not an image`);
    } else if (entry.isDirectory) {
      for (const child of await readEntries(entry as FileSystemDirectoryEntry)) await walk(child, entry.name);
    }
  };
  const entries = Array.from(dt.items)
    .map((i) => i.webkitGetAsEntry?.())
    .filter((e): e is FileSystemEntry => !!e);
  if (entries.length === 0) return fromFileList(dt.files);
  // A single dropped folder is the root: its sub-folders are the classes.
  if (entries.length === 1 && entries[0].isDirectory) {
    for (const child of await readEntries(entries[0] as FileSystemDirectoryEntry)) await walk(child, undefined);
  } else for (const e of entries) await walk(e, undefined);
  return out;
}

export function UploadPanel() {
  const upload = useApp((s) => s.upload);
  const dataset = useApp((s) => s.dataset);
  const configDataset = useApp((s) => s.config.dataset);
  const uploadFiles = useApp((s) => s.uploadFiles);
  const clearUpload = useApp((s) => s.clearUpload);
  const notify = useApp((s) => s.notify);
  const [useLabels, setUseLabels] = useState(true);
  const [over, setOver] = useState(false);
  const [pageSkipped, setPageSkipped] = useState<string[]>([]);
  const files = useRef<HTMLInputElement>(null);
  const folder = useRef<HTMLInputElement>(null);
  const host = datasetInfo(configDataset);
  const points = host.kind === 'points';
  const size = `${host.shape[0]}×${host.shape[1]} ${host.shape[2] === 1 ? 'gray' : 'RGB'}`;

  const send = (p: Picked) => {
    const tooBig = p.items.filter((i) => i.file.size > MAX_UPLOAD_FILE_BYTES);
    const items = p.items.filter((i) => i.file.size <= MAX_UPLOAD_FILE_BYTES);
    const skipped = [...p.skipped, ...tooBig.map((i) => `${i.name}: over ${MAX_FILE_MB} MB`)];
    setPageSkipped(skipped);
    if (items.length === 0) {
      notify('warning', `Your images: no image files found${skipped.length ? ` (${skipped.length} skipped)` : ''}.`, 'upload');
      return;
    }
    if (items.length > MAX_UPLOAD_IMAGES) {
      notify('warning', `Your images: ${items.length.toLocaleString('en')} images is over the limit of ${MAX_UPLOAD_IMAGES.toLocaleString('en')}; choose fewer.`, 'upload');
      return;
    }
    uploadFiles(items, useLabels);
  };
  const onDrop = async (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    if (points) return;
    send(await fromDrop(e.dataTransfer));
  };
  const skipped = [...pageSkipped, ...upload.skipped];
  return (
    <Panel id="upload" title="Your own images" explain={<>Drop image files or a folder to train on them; sub-folder names become labels.</>}>
      <p className="privacy" data-testid="upload-privacy">
        Your images stay in this browser: they are decoded and trained on inside this tab and never uploaded. They are not part of the link.
      </p>
      <div
        className={`dropzone ${over ? 'over' : ''} ${points ? 'disabled' : ''}`}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
        data-testid="dropzone"
        aria-disabled={points}
      >
        {points ? (
          <span>Pick an image dataset first: the 2D model trains on points.</span>
        ) : (
          <>
            <span>
              Drop images or a folder here. They are resized to <strong>{size}</strong> (this model&apos;s size, from {configDataset}).
            </span>
            <div className="row">
              <button className="btn" onClick={() => files.current?.click()}>
                Choose images…
              </button>
              <button className="btn" onClick={() => folder.current?.click()}>
                Choose a folder…
              </button>
            </div>
          </>
        )}
        <input ref={files} type="file" accept="image/*" multiple hidden onChange={(e) => e.target.files && send(fromFileList(e.target.files))} data-testid="upload-files" />
        <input ref={folder} type="file" multiple hidden {...{ webkitdirectory: '' }} onChange={(e) => e.target.files && send(fromFileList(e.target.files))} data-testid="upload-folder" />
      </div>
      <label className="check small">
        <input type="checkbox" checked={useLabels} onChange={(e) => setUseLabels(e.target.checked)} data-testid="upload-labels" />
        <span>labels from folder names (at most {host.numClasses} for this model)</span>
      </label>
      <p className="small muted" style={{ margin: '4px 0' }}>
        Limits: {MAX_UPLOAD_IMAGES.toLocaleString('en')} images, {MAX_FILE_MB} MB and {Math.sqrt(MAX_UPLOAD_PIXELS)}×{Math.sqrt(MAX_UPLOAD_PIXELS)} pixels per image, {MAX_UPLOAD_CLASSES} labels.
      </p>
      <div className="upload-status" data-testid="upload-status" data-status={upload.status}>
        {upload.status === 'decoding' && (
          <span>
            <span className="spinner" /> Decoding {upload.done} / {upload.total}…
          </span>
        )}
        {upload.status === 'failed' && upload.message && <span className="bad">{upload.message}</span>}
        {dataset?.source === 'upload' && (
          <span>
            Training on <strong>{dataset.size} of your images</strong>, {dataset.numClasses} class{dataset.numClasses === 1 ? '' : 'es'}
            {dataset.numClasses > 1 ? ` (${dataset.classNames.slice(0, 6).join(', ')}${dataset.numClasses > 6 ? ', …' : ''})` : ''}.{' '}
            <button className="btn small-btn" onClick={clearUpload} data-testid="upload-clear">
              Use {configDataset} again
            </button>
          </span>
        )}
      </div>
      {skipped.length > 0 && (
        <details className="small">
          <summary>{skipped.length} file(s) skipped</summary>
          <ul className="skipped">
            {skipped.slice(0, 20).map((s, i) => (
              <li key={i}>{s}</li>
            ))}
          </ul>
        </details>
      )}
      <PreviewStrip />
    </Panel>
  );
}
