// A moment picked in a given time zone (react-aria's DatePicker with hours and minutes, its calendar in a popover),
// and a searchable time-zone picker (react-aria's ComboBox over the browser's IANA zones). Keyboard, focus and
// screen-reader behaviour come from the kit; the segments and the calendar follow the workspace's language.
import { now, parseAbsolute, type ZonedDateTime } from '@internationalized/date';
import { useMemo } from 'react';
import {
  Button,
  Calendar,
  CalendarCell,
  CalendarGrid,
  ComboBox,
  DateInput,
  DatePicker,
  DateSegment,
  Dialog,
  Group,
  Heading,
  I18nProvider,
  Input,
  Label,
  ListBox,
  ListBoxItem,
  Popover,
  Text,
} from 'react-aria-components';
import { useT } from '../i18n/i18n.tsx';

/** Tomorrow at `hour`:00 in `zone`, as an ISO instant: a sensible first value for an interview's start. */
export function tomorrowAt(zone: string, hour: number): string {
  return now(zone).add({ days: 1 }).set({ hour, minute: 0, second: 0, millisecond: 0 }).toAbsoluteString();
}

export function DateTimeField({
  label,
  description,
  value,
  zone,
  onChange,
}: {
  label: string;
  description?: string;
  /** An ISO instant, or '' for none. */
  value: string;
  /** The IANA zone the date and time are read and typed in; its name is shown as the field's last segment. */
  zone: string;
  onChange: (iso: string) => void;
}) {
  const { t, locale } = useT();
  const zoned: ZonedDateTime | null = value ? parseAbsolute(value, zone) : null;
  return (
    <I18nProvider locale={locale}>
      <DatePicker
        className="hr-date-range hr-date-time"
        granularity="minute"
        isRequired
        value={zoned}
        placeholderValue={parseAbsolute(tomorrowAt(zone, 10), zone)}
        onChange={(next) => onChange(next ? next.toAbsoluteString() : '')}
      >
        <Label>{label}</Label>
        <Group className="hr-date-group">
          <DateInput className="hr-date-input">
            {(segment) => <DateSegment segment={segment} className="hr-date-segment" />}
          </DateInput>
          <Button className="hr-icon-button" aria-label={t('common.openCalendar')}>
            <span aria-hidden="true">▾</span>
          </Button>
        </Group>
        {description && (
          <Text slot="description" className="hr-hint">
            {description}
          </Text>
        )}
        <Popover className="hr-popover">
          <Dialog className="hr-calendar-dialog">
            <Calendar className="hr-calendar">
              <header>
                <Button slot="previous" className="hr-icon-button">
                  <span aria-hidden="true">‹</span>
                </Button>
                <Heading />
                <Button slot="next" className="hr-icon-button">
                  <span aria-hidden="true">›</span>
                </Button>
              </header>
              <CalendarGrid>{(date) => <CalendarCell date={date} className="hr-calendar-cell" />}</CalendarGrid>
            </Calendar>
          </Dialog>
        </Popover>
      </DatePicker>
    </I18nProvider>
  );
}

interface ZoneOption {
  id: string;
  label: string;
}

let zoneList: ZoneOption[] | null = null;

/** Every zone this browser knows, with its offset now ("Asia/Dubai (GMT+04:00)"), built once. */
function browserZones(): ZoneOption[] {
  if (zoneList) return zoneList;
  const at = new Date();
  const names = ['UTC', ...Intl.supportedValuesOf('timeZone').filter((zone) => zone !== 'UTC')];
  zoneList = names.map((id) => {
    const offset =
      new Intl.DateTimeFormat('en', { timeZone: id, timeZoneName: 'longOffset' })
        .formatToParts(at)
        .find((part) => part.type === 'timeZoneName')?.value ?? '';
    return { id, label: `${id.replaceAll('_', ' ')} (${offset})` };
  });
  return zoneList;
}

export function TimeZoneField({
  label,
  description,
  value,
  onChange,
}: {
  label: string;
  description?: string;
  value: string;
  onChange: (zone: string) => void;
}) {
  const { t } = useT();
  // The saved zone is offered even if this browser spells it differently (the API accepts every spelling Intl does).
  const items = useMemo(() => {
    const zones = browserZones();
    return !value || zones.some((zone) => zone.id === value) ? zones : [{ id: value, label: value }, ...zones];
  }, [value]);
  return (
    <ComboBox
      className="hr-combobox"
      defaultItems={items}
      selectedKey={value || null}
      onSelectionChange={(key) => {
        if (key !== null) onChange(String(key));
      }}
      menuTrigger="focus"
    >
      <Label>{label}</Label>
      <div className="hr-combobox-group">
        {/* Zone names are Latin script in either language: typed and read left to right. */}
        <Input className="hr-input" dir="ltr" />
        <Button className="hr-icon-button" aria-label={t('settings.showZones')}>
          <span aria-hidden="true">▾</span>
        </Button>
      </div>
      {description && (
        <Text slot="description" className="hr-hint">
          {description}
        </Text>
      )}
      <Popover className="hr-popover hr-zone-popover">
        <ListBox className="hr-listbox" dir="ltr">
          {(zone: ZoneOption) => (
            <ListBoxItem id={zone.id} textValue={zone.label} className="hr-option">
              {zone.label}
            </ListBoxItem>
          )}
        </ListBox>
      </Popover>
    </ComboBox>
  );
}
