// The workspace's date, time, number and time-zone fields, one set for every page (Settings → Company, New
// interview, the Scheduling page's availability form), all from react-aria-components: the kit gives each its
// keyboard, focus and screen-reader behaviour; I18nProvider formats the segments and the calendar in the
// workspace's language rather than the browser's.
import {
  now,
  parseAbsolute,
  parseDate,
  parseTime,
  type CalendarDate,
  type Time,
  type ZonedDateTime,
} from '@internationalized/date';
import { useMemo, type ReactNode } from 'react';
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
  NumberField,
  Popover,
  Text,
  TimeField as KitTimeField,
} from 'react-aria-components';
import { useT } from '../i18n/i18n.tsx';

/** Tomorrow at `hour`:00 in `zone`, as an ISO instant: a sensible first value for an interview's start. */
export function tomorrowAt(zone: string, hour: number): string {
  return now(zone).add({ days: 1 }).set({ hour, minute: 0, second: 0, millisecond: 0 }).toAbsoluteString();
}

/** A typed value that does not parse (an old or hand-edited one) shows as an empty field rather than a crash. */
function safe<T>(parse: () => T): T | null {
  try {
    return parse();
  } catch {
    return null;
  }
}

function Hint({ children }: { children?: ReactNode }) {
  return children ? (
    <Text slot="description" className="hr-hint">
      {children}
    </Text>
  ) : null;
}

/** The date picker's body, the same for a day and for a moment: segments, the calendar button, the calendar. */
function DatePickerBody({ label, description }: { label: string; description?: ReactNode }) {
  const { t } = useT();
  return (
    <>
      <Label>{label}</Label>
      <Group className="hr-date-group">
        <DateInput className="hr-date-input">
          {(segment) => <DateSegment segment={segment} className="hr-date-segment" />}
        </DateInput>
        <Button className="hr-icon-button" aria-label={t('common.openCalendar')}>
          <span aria-hidden="true">▾</span>
        </Button>
      </Group>
      <Hint>{description}</Hint>
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
    </>
  );
}

/** A moment (date, hours and minutes) read and typed in `zone`, whose name is shown as the field's last segment. */
export function DateTimeField({
  label,
  description,
  value,
  zone,
  onChange,
}: {
  label: string;
  description?: ReactNode;
  /** An ISO instant, or '' for none. */
  value: string;
  zone: string;
  onChange: (iso: string) => void;
}) {
  const { locale } = useT();
  const zoned: ZonedDateTime | null = value ? safe(() => parseAbsolute(value, zone)) : null;
  return (
    <I18nProvider locale={locale}>
      <DatePicker
        className="hr-kit-field hr-date-picker"
        granularity="minute"
        isRequired
        value={zoned}
        placeholderValue={parseAbsolute(tomorrowAt(zone, 10), zone)}
        onChange={(next) => onChange(next ? next.toAbsoluteString() : '')}
      >
        <DatePickerBody label={label} description={description} />
      </DatePicker>
    </I18nProvider>
  );
}

/** A day as "YYYY-MM-DD" (or '' for none). */
export function DateField({
  label,
  description,
  value,
  onChange,
}: {
  label: string;
  description?: ReactNode;
  value: string;
  onChange: (value: string) => void;
}) {
  const { locale } = useT();
  const date = value ? safe(() => parseDate(value)) : null;
  return (
    <I18nProvider locale={locale}>
      <DatePicker
        className="hr-kit-field hr-date-picker"
        value={date}
        onChange={(next: CalendarDate | null) => onChange(next ? next.toString() : '')}
      >
        <DatePickerBody label={label} description={description} />
      </DatePicker>
    </I18nProvider>
  );
}

/** "HH:MM" in and out, 24-hour like the API; 24:00 (an end at midnight) shows as 00:00 and is given back as 24:00 by the caller. */
export function TimeField({
  label,
  value,
  onChange,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
}) {
  const { locale } = useT();
  const time = value ? safe(() => parseTime(value === '24:00' ? '00:00' : value)) : null;
  return (
    <I18nProvider locale={locale}>
      <KitTimeField
        className="hr-kit-field"
        value={time}
        hourCycle={24}
        shouldForceLeadingZeros
        onChange={(next: Time | null) =>
          onChange(next ? `${String(next.hour).padStart(2, '0')}:${String(next.minute).padStart(2, '0')}` : '')
        }
      >
        <Label>{label}</Label>
        {/* Hours and minutes read left to right in Arabic too, as on a clock. */}
        <DateInput className="hr-date-input hr-date-group hr-time-input" dir="ltr">
          {(segment) => <DateSegment segment={segment} className="hr-date-segment" />}
        </DateInput>
      </KitTimeField>
    </I18nProvider>
  );
}

/** A whole number with stepper buttons; NaN (an emptied field) is given back as null. */
export function NumberInput({
  label,
  value,
  onChange,
  min,
  max,
  step = 1,
  description,
}: {
  label: string;
  value: number | null;
  onChange: (value: number | null) => void;
  min: number;
  max: number;
  step?: number;
  description?: ReactNode;
}) {
  const { t, locale } = useT();
  return (
    <I18nProvider locale={locale}>
      <NumberField
        className="hr-kit-field hr-number-field"
        value={value ?? NaN}
        minValue={min}
        maxValue={max}
        step={step}
        formatOptions={{ maximumFractionDigits: 0, useGrouping: false }}
        onChange={(next) => onChange(Number.isNaN(next) ? null : next)}
      >
        <Label>{label}</Label>
        <Group className="hr-number-group">
          <Button slot="decrement" className="hr-icon-button" aria-label={t('sched.form.less')}>
            <span aria-hidden="true">−</span>
          </Button>
          <Input className="hr-input hr-number-input" />
          <Button slot="increment" className="hr-icon-button" aria-label={t('sched.form.more')}>
            <span aria-hidden="true">+</span>
          </Button>
        </Group>
        <Hint>{description}</Hint>
      </NumberField>
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

/** An IANA time zone, typed or picked; the list filters as one types ("riyadh" finds Asia/Riyadh). */
export function TimeZoneField({
  label,
  description,
  value,
  onChange,
}: {
  label: string;
  description?: ReactNode;
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
      className="hr-kit-field hr-combobox"
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
      <Hint>{description}</Hint>
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
