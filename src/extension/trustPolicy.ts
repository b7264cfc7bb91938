/**
 * Workspace trust, without the vscode API (so unit tests can run it): in an untrusted (Restricted Mode) workspace,
 * commands that run programs refuse with a message offering to manage trust, and program paths come only from the
 * user's (or machine's) settings, never from the repository's .vscode/settings.json.
 */

/** The slice of the vscode API that the trust check uses. */
export interface TrustApi {
  isTrusted: boolean;
  showWarningMessage(message: string, ...items: string[]): PromiseLike<string | undefined>;
  executeCommand(command: string): PromiseLike<unknown>;
}

export const MANAGE_TRUST = 'Manage Workspace Trust';

export function untrustedMessage(action: string): string {
  return `BNN Studio: ${action} runs programs (training workers, compilers, emulators, flashers or Python); ` +
    'trust this workspace to allow it. In Restricted Mode the Models view, estimates, diagnostics and charts of existing runs still work.';
}

/** True when the workspace is trusted; otherwise says why the action is refused, offers to manage trust, and returns false. */
export async function checkTrust(api: TrustApi, action: string): Promise<boolean> {
  if (api.isTrusted) return true;
  const choice = await api.showWarningMessage(untrustedMessage(action), MANAGE_TRUST);
  if (choice === MANAGE_TRUST) await api.executeCommand('workbench.trust.manage');
  return false;
}

/** What `WorkspaceConfiguration.inspect()` returns (the fields used here). */
export interface InspectedSetting<T> {
  defaultValue?: T;
  globalValue?: T;
  workspaceValue?: T;
  workspaceFolderValue?: T;
}

/**
 * A setting's effective value, ignoring workspace and folder values unless the workspace is trusted (VS Code already
 * does this for restrictedConfigurations; this keeps it true whatever the manifest says).
 */
export function trustedValue<T>(inspected: InspectedSetting<T> | undefined, trusted: boolean): T | undefined {
  if (!inspected) return undefined;
  if (trusted) return inspected.workspaceFolderValue ?? inspected.workspaceValue ?? inspected.globalValue ?? inspected.defaultValue;
  return inspected.globalValue ?? inspected.defaultValue;
}
