// The board chosen in the setting `bnnStudio.board`, shared by the status bar, the tree and the CodeLens.
import * as vscode from 'vscode';
import { BOARDS, DEFAULT_BOARD_ID, findBoard, type BoardInfo } from '../core/boards';

export const BOARD_SETTING = 'bnnStudio.board';

export function selectedBoard(): BoardInfo {
  const id = vscode.workspace.getConfiguration('bnnStudio').get<string>('board', DEFAULT_BOARD_ID);
  return findBoard(id) ?? findBoard(DEFAULT_BOARD_ID) ?? BOARDS[0];
}

/** The configured id when it names no known board (so the UI can say so instead of silently using the default). */
export function unknownBoardSetting(): string | undefined {
  const id = vscode.workspace.getConfiguration('bnnStudio').get<string>('board', DEFAULT_BOARD_ID);
  return findBoard(id) ? undefined : id;
}

export function onDidChangeBoard(listener: () => void): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration(BOARD_SETTING)) listener();
  });
}

/** Stores the board in the workspace settings when a folder is open (boards belong to projects), else globally. */
export async function storeBoard(id: string): Promise<void> {
  const target = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  await vscode.workspace.getConfiguration('bnnStudio').update('board', id, target);
}
