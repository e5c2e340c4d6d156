import { Menu, Tray, nativeImage } from 'electron';
import { iconStateFor, trayIconFile, trayMenuTemplate, trayTooltip, type TrayActions, type TrayStatus } from './tray-model';

/**
 * The tray icon. Every status change sets the image, the tooltip and a fresh context menu (Linux's
 * StatusNotifierItem only picks up a menu that is set again after a change).
 */
export interface AppTray {
  update(status: TrayStatus): void;
  destroy(): void;
}

export function createTray(opts: { trayDir: string; platform?: NodeJS.Platform; actions: TrayActions }): AppTray {
  const platform = opts.platform ?? process.platform;
  const image = (status: TrayStatus) => {
    const img = nativeImage.createFromPath(trayIconFile(opts.trayDir, iconStateFor(status.state), platform));
    if (platform === 'darwin') img.setTemplateImage(true);
    return img;
  };
  const initial: TrayStatus = { state: 'idle', message: null, summary: '' };
  const tray = new Tray(image(initial));
  let lastIcon = iconStateFor(initial.state);
  const apply = (status: TrayStatus) => {
    tray.setToolTip(trayTooltip(status));
    tray.setContextMenu(Menu.buildFromTemplate(trayMenuTemplate(status, opts.actions)));
  };
  apply(initial);
  // Windows and Linux open the window on a left click; macOS always shows the menu.
  if (platform !== 'darwin') tray.on('click', () => opts.actions.open());
  return {
    update(status) {
      const icon = iconStateFor(status.state);
      if (icon !== lastIcon) {
        tray.setImage(image(status));
        lastIcon = icon;
      }
      apply(status);
    },
    destroy() {
      tray.destroy();
    },
  };
}
