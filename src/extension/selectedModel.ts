/**
 * "The selected model" that the Datasets view checks datasets against: the *.bnn.json in the active editor, else the
 * model last selected in the Models view. Kept here so the views do not reach into each other.
 */
import * as vscode from 'vscode';
import { isModelUri } from './modelStore';

let current: vscode.Uri | undefined;
const emitter = new vscode.EventEmitter<vscode.Uri | undefined>();

export const onDidChangeSelectedModel = emitter.event;

export function selectedModel(): vscode.Uri | undefined {
  return current;
}

export function setSelectedModel(uri: vscode.Uri | undefined): void {
  if (!uri || !isModelUri(uri) || uri.toString() === current?.toString()) return;
  current = uri;
  emitter.fire(uri);
}

/** Follows the active editor; the Models view reports its selection through setSelectedModel. */
export function trackSelectedModel(context: vscode.ExtensionContext): void {
  const fromEditor = (e: vscode.TextEditor | undefined): void => { if (e) setSelectedModel(e.document.uri); };
  fromEditor(vscode.window.activeTextEditor);
  context.subscriptions.push(emitter, vscode.window.onDidChangeActiveTextEditor(fromEditor));
}
