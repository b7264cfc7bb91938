/**
 * A scripted user for the in-host tests: while installed, the extension's quick picks, input boxes, file dialogs and
 * notifications go to `answer` instead of the screen, and every one of them is recorded. A command's handler turns
 * its errors into notifications, so a test that only waits for the command to end cannot tell a broken command from
 * a working one; with this it asserts what the user was asked and told, and what the command wrote.
 *
 * The test bundle lives inside the extension's folder, so the extension host hands it the same `vscode` API object
 * as the extension: replacing `vscode.window.show*` here replaces what the extension calls.
 */
import * as vscode from 'vscode';

export type PromptKind = 'quickPick' | 'inputBox' | 'openDialog' | 'saveDialog' | 'information' | 'warning' | 'error';

export interface Prompt {
  kind: PromptKind;
  /** The title (or placeholder/prompt) of a pick, box or dialog; the text of a notification. */
  text: string;
  /** Item labels of a pick; button titles of a notification. */
  items: string[];
  /** The detail line of each pick item ('' when none): an answer may name an item by it. */
  details?: string[];
  /** The proposed value of an input box; the proposed file of a save dialog (fsPath). */
  value?: string;
  modal?: boolean;
}

/**
 * The user's answer: an item label (or several for a multi-select pick), the text typed in an input box, the Uri
 * chosen in a dialog, a notification's button; undefined is Escape (or closing the notification).
 */
export type Answer = string | string[] | vscode.Uri | undefined;

type Window = typeof vscode.window;
const PATCHED = ['showQuickPick', 'showInputBox', 'showOpenDialog', 'showSaveDialog', 'showInformationMessage', 'showWarningMessage', 'showErrorMessage'] as const;

function labelOf(item: unknown): string {
  return typeof item === 'string' ? item : (item as { label?: string; title?: string }).label ?? (item as { title?: string }).title ?? '';
}

export class ScriptedUser implements vscode.Disposable {
  readonly prompts: Prompt[] = [];
  /** Answers the script gave that did not fit the prompt (no such item, an input the box itself rejects). */
  readonly mistakes: string[] = [];
  private readonly saved = new Map<string, unknown>();
  private answer: (p: Prompt) => Answer = () => undefined;

  constructor() {
    const w = vscode.window as unknown as Record<string, unknown>;
    for (const name of PATCHED) this.saved.set(name, w[name]);
    const record = (p: Prompt): Answer => {
      this.prompts.push(p);
      return this.answer(p);
    };
    const message = (kind: 'information' | 'warning' | 'error') => async (text: string, ...rest: unknown[]): Promise<unknown> => {
      const options = rest.length && typeof rest[0] === 'object' && rest[0] !== null && !('title' in rest[0]) ? rest.shift() as vscode.MessageOptions : undefined;
      const a = record({ kind, text, items: rest.map(labelOf), modal: options?.modal });
      if (a === undefined) return undefined;
      const item = rest.find((r) => labelOf(r) === a);
      if (item === undefined) this.mistakes.push(`no button "${String(a)}" on "${text}" (buttons: ${rest.map(labelOf).join(', ')})`);
      return item;
    };
    Object.assign(w, {
      showQuickPick: async (items: unknown, options?: vscode.QuickPickOptions & { title?: string }): Promise<unknown> => {
        const list = (await items) as unknown[];
        const detailOf = (i: unknown): string => (typeof i === 'object' && i !== null ? (i as vscode.QuickPickItem).detail ?? '' : '');
        const a = record({ kind: 'quickPick', text: options?.title ?? options?.placeHolder ?? '', items: list.map(labelOf), details: list.map(detailOf) });
        if (a === undefined) return undefined;
        const wanted = Array.isArray(a) ? a : [a];
        const chosen = wanted.map((want) => list.find((i) => labelOf(i) === want) ?? list.find((i) => detailOf(i) === want));
        if (chosen.some((c) => c === undefined)) {
          this.mistakes.push(`no item ${JSON.stringify(wanted)} in the pick "${options?.title ?? ''}" (items: ${list.map(labelOf).join(' | ')})`);
          return undefined;
        }
        return options?.canPickMany ? chosen : chosen[0];
      },
      showInputBox: async (options?: vscode.InputBoxOptions): Promise<string | undefined> => {
        const a = record({ kind: 'inputBox', text: options?.title ?? options?.prompt ?? '', items: [], value: options?.value });
        if (a === undefined) return undefined;
        const problem = await options?.validateInput?.(String(a));
        if (problem) this.mistakes.push(`the input box "${options?.title ?? ''}" rejects "${String(a)}": ${typeof problem === 'string' ? problem : problem.message}`);
        return problem ? undefined : String(a);
      },
      showOpenDialog: async (options?: vscode.OpenDialogOptions): Promise<vscode.Uri[] | undefined> => {
        const a = record({ kind: 'openDialog', text: options?.title ?? options?.openLabel ?? '', items: [] });
        return a instanceof vscode.Uri ? [a] : undefined;
      },
      showSaveDialog: async (options?: vscode.SaveDialogOptions): Promise<vscode.Uri | undefined> => {
        const a = record({ kind: 'saveDialog', text: options?.title ?? options?.saveLabel ?? '', items: [], value: options?.defaultUri?.fsPath });
        return a instanceof vscode.Uri ? a : undefined;
      },
      showInformationMessage: message('information'),
      showWarningMessage: message('warning'),
      showErrorMessage: message('error'),
    } satisfies Partial<Record<(typeof PATCHED)[number], unknown>>);
  }

  /** How the user answers from now on (the default presses Escape on everything). */
  answers(fn: (p: Prompt) => Answer): this {
    this.answer = fn;
    return this;
  }

  /** The prompts of one kind so far. */
  of(kind: PromptKind): Prompt[] {
    return this.prompts.filter((p) => p.kind === kind);
  }

  /** What the user was shown, one line each, for assertion messages. */
  transcript(): string {
    return this.prompts.map((p) => `${p.kind}: ${p.text}${p.items.length ? ` [${p.items.join(' | ')}]` : ''}`).join('\n') || '(nothing)';
  }

  dispose(): void {
    const w = vscode.window as unknown as Record<string, unknown>;
    for (const [name, fn] of this.saved) w[name] = fn;
  }
}

/** Type guard for the window functions being replaceable (they are plain properties of the API object). */
export function windowIsPatchable(): boolean {
  const d = Object.getOwnPropertyDescriptor(vscode.window as Window, 'showInformationMessage');
  return !!d && (d.writable === true || typeof d.set === 'function');
}
