// The availability form's pickers, from react-aria-components like the workspace's other controls: a time field
// (segments, 24-hour like the API's HH:MM), a date picker with its calendar, a number field and a time zone
// combo box. The kit gives each its keyboard and screen-reader behaviour; I18nProvider formats the segments and the
// calendar in the workspace's language rather than the browser's.
import { parseDate, parseTime, type CalendarDate, type Time } from '@internationalized/date';
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
  TimeField,
} from 'react-aria-components';
import { useT } from '../../../i18n/i18n.tsx';

function safe<T>(parse: () => T): T | null {
  try {
    return parse();
  } catch {
    return null;
  }
}

/** "HH:MM" in and out; 24:00 (an end at midnight) shows as 00:00 and is given back as 24:00 by the caller. */
export function TimeInput({
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
      <TimeField
        className="hr-time-field"
        value={time}
        hourCycle={24}
        shouldForceLeadingZeros
        onChange={(next: Time | null) =>
          onChange(next ? `${String(next.hour).padStart(2, '0')}:${String(next.minute).padStart(2, '0')}` : '')
        }
      >
        <Label className="hr-field-label">{label}</Label>
        {/* Hours and minutes read left to right in Arabic too, as on a clock. */}
        <DateInput className="hr-date-input hr-date-group hr-time-input" dir="ltr">
          {(segment) => <DateSegment segment={segment} className="hr-date-segment" />}
        </DateInput>
      </TimeField>
    </I18nProvider>
  );
}

/** A day as "YYYY-MM-DD" (or '' for none), with a calendar in a popover. */
export function DateField({
  label,
  value,
  onChange,
  description,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  description?: ReactNode;
}) {
  const { t, locale } = useT();
  const date = value ? safe(() => parseDate(value)) : null;
  return (
    <I18nProvider locale={locale}>
      <DatePicker
        className="hr-date-picker"
        value={date}
        onChange={(next: CalendarDate | null) => onChange(next ? next.toString() : '')}
      >
        <Label className="hr-field-label">{label}</Label>
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
              <CalendarGrid>{(day) => <CalendarCell date={day} className="hr-calendar-cell" />}</CalendarGrid>
            </Calendar>
          </Dialog>
        </Popover>
      </DatePicker>
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
        className="hr-number-field"
        value={value ?? NaN}
        minValue={min}
        maxValue={max}
        step={step}
        formatOptions={{ maximumFractionDigits: 0, useGrouping: false }}
        onChange={(next) => onChange(Number.isNaN(next) ? null : next)}
      >
        <Label className="hr-field-label">{label}</Label>
        <Group className="hr-number-group">
          <Button slot="decrement" className="hr-icon-button" aria-label={t('sched.form.less')}>
            <span aria-hidden="true">−</span>
          </Button>
          <Input className="hr-input hr-number-input" />
          <Button slot="increment" className="hr-icon-button" aria-label={t('sched.form.more')}>
            <span aria-hidden="true">+</span>
          </Button>
        </Group>
        {description && (
          <Text slot="description" className="hr-hint">
            {description}
          </Text>
        )}
      </NumberField>
    </I18nProvider>
  );
}

function zones(): string[] {
  const all = (Intl as { supportedValuesOf?: (key: string) => string[] }).supportedValuesOf?.('timeZone') ?? [];
  return all.includes('UTC') ? all : ['UTC', ...all];
}

/** An IANA time zone, typed or picked; the list filters as one types ("Dub" finds Asia/Dubai). */
export function TimezoneField({
  label,
  value,
  onChange,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
}) {
  const items = useMemo(() => zones().map((id) => ({ id })), []);
  return (
    <ComboBox
      className="hr-combo"
      selectedKey={value || null}
      onSelectionChange={(key) => key !== null && onChange(String(key))}
      defaultItems={items}
      menuTrigger="focus"
    >
      <Label className="hr-field-label">{label}</Label>
      <Group className="hr-date-group hr-combo-group">
        <Input className="hr-combo-input" dir="ltr" />
        <Button className="hr-icon-button">
          <span aria-hidden="true">▾</span>
        </Button>
      </Group>
      <Popover className="hr-popover">
        <ListBox className="hr-listbox hr-combo-list">
          {(item: { id: string }) => (
            <ListBoxItem id={item.id} className="hr-option" textValue={item.id}>
              <span dir="ltr">{item.id}</span>
            </ListBoxItem>
          )}
        </ListBox>
      </Popover>
    </ComboBox>
  );
}
