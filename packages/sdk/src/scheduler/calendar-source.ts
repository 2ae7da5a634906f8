import type { BusinessCalendar } from '../calendar/calendar.js';
import { createCalendarRegistry } from '../calendar/built-in-calendars.js';
import type { CalendarRegistry } from '../calendar/built-in-calendars.js';
import type { Storage } from '../storage/port.js';

/** Calendars as the storage lists them (`Storage.listCalendars`). */
type StoredCalendars = Awaited<ReturnType<Storage['listCalendars']>>;

/** Calendars as stored with the jobs, rebuilt when the stored set changes (another process may define one). */
export interface CalendarSource {
  /** The current registry (built-ins plus stored calendars). */
  registry(): Promise<CalendarRegistry>;
  /** Lookup function for plan contexts. */
  lookup(): Promise<(name: string) => BusinessCalendar>;
}

/** The registry of the built-in calendars plus `stored`. */
export const storedCalendarRegistry = (stored: StoredCalendars): CalendarRegistry => createCalendarRegistry({ calendars: stored.map((c) => c.definition) });

/** Creates a calendar source over storage. */
export function createCalendarSource(storage: Storage): CalendarSource {
  let signature = '';
  let current: CalendarRegistry = createCalendarRegistry();
  const registry = async (): Promise<CalendarRegistry> => {
    const stored = await storage.listCalendars();
    const sig = stored.map((c) => `${c.name}@${c.updatedAt.getTime()}`).join('|');
    if (sig !== signature) {
      current = storedCalendarRegistry(stored);
      signature = sig;
    }
    return current;
  };
  return {
    registry,
    async lookup() {
      const r = await registry();
      return (name) => r.get(name);
    },
  };
}
