import { Menu, Tray, nativeImage } from 'electron';
import { trayIconFile, trayMenuTemplate, trayTooltip, type TrayActions, type TrayIconState, type TrayView } from './tray-model';

/**
 * The tray icon. Every status change sets the image, the tooltip and a fresh context menu (Linux's
 * StatusNotifierItem only picks up a menu that is set again after a change).
 */
export interface AppTray {
  update(view: TrayView): void;
  destroy(): void;
}

export function createTray(opts: { trayDir: string; platform?: NodeJS.Platform; actions: TrayActions; initial: TrayView }): AppTray {
  const platform = opts.platform ?? process.platform;
  const image = (state: TrayIconState) => {
    const img = nativeImage.createFromPath(trayIconFile(opts.trayDir, state, platform));
    if (platform === 'darwin') img.setTemplateImage(true);
    return img;
  };
  const tray = new Tray(image(opts.initial.status.kind));
  let lastIcon: TrayIconState = opts.initial.status.kind;
  const apply = (view: TrayView) => {
    tray.setToolTip(trayTooltip(view));
    tray.setContextMenu(Menu.buildFromTemplate(trayMenuTemplate(view, opts.actions)));
  };
  apply(opts.initial);
  // Windows and Linux open the window on a left click; macOS always shows the menu.
  if (platform !== 'darwin') tray.on('click', () => opts.actions.open());
  return {
    update(view) {
      if (view.status.kind !== lastIcon) {
        tray.setImage(image(view.status.kind));
        lastIcon = view.status.kind;
      }
      apply(view);
    },
    destroy() {
      tray.destroy();
    },
  };
}
