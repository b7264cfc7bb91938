/** Workspace trust for the commands that run programs, and for the settings that name those programs (see trustPolicy). */
import * as vscode from 'vscode';
import type { ToolPaths } from '../core/device/tools';
import { checkTrust, trustedValue } from './trustPolicy';

/** True when the workspace is trusted; otherwise explains, offers "Manage Workspace Trust", and returns false. */
export function requireTrust(action: string): Promise<boolean> {
  return checkTrust({
    isTrusted: vscode.workspace.isTrusted,
    showWarningMessage: (message, ...items) => vscode.window.showWarningMessage(message, ...items),
    executeCommand: (command) => vscode.commands.executeCommand(command),
  }, action);
}

/** `section.key`'s value, from user/machine settings only when the workspace is untrusted. */
export function trustedSetting<T>(section: string, key: string): T | undefined {
  return trustedValue(vscode.workspace.getConfiguration(section).inspect<T>(key), vscode.workspace.isTrusted);
}

/** The `bnnStudio.tools.<name>` paths that are set, read under the trust rule (Run on Emulated Board and Flash share it). */
export function trustedToolPaths(names: readonly string[]): ToolPaths {
  const out: ToolPaths = {};
  for (const name of names) {
    const v = trustedSetting<string>('bnnStudio.tools', name);
    if (v) out[name] = v;
  }
  return out;
}
