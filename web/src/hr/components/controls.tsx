// Small wrappers over react-aria-components, styled once for the workspace: a select with a label, and a date
// range picker. Keyboard, focus and screen-reader behaviour come from the kit.
import { getLocalTimeZone, parseDate, type CalendarDate } from '@internationalized/date';
import type { Key } from 'react';
import {
  Button,
  CalendarCell,
  CalendarGrid,
  DateInput,
  DateRangePicker,
  DateSegment,
  Dialog,
  Group,
  Heading,
  I18nProvider,
  Label,
  ListBox,
  ListBoxItem,
  Popover,
  RangeCalendar,
  Select,
  SelectValue,
  Text,
} from 'react-aria-components';
import { useT } from '../i18n/i18n.tsx';

export interface Option {
  id: string;
  label: string;
}

export function SelectField({
  label,
  value,
  options,
  onChange,
  className,
  description,
}: {
  label: string;
  value: string;
  options: Option[];
  onChange: (value: string) => void;
  className?: string;
  /** A hint under the field, announced with it. */
  description?: string;
}) {
  return (
    <Select
      className={`hr-select ${className ?? ''}`}
      value={value}
      onChange={(key: Key | null) => onChange(key === null ? '' : String(key))}
    >
      <Label>{label}</Label>
      <Button className="hr-select-button">
        <SelectValue />
        <span aria-hidden="true" className="hr-chevron">
          ▾
        </span>
      </Button>
      {description && (
        <Text slot="description" className="hr-hint">
          {description}
        </Text>
      )}
      <Popover className="hr-popover">
        <ListBox className="hr-listbox" items={options}>
          {(option) => (
            <ListBoxItem id={option.id} className="hr-option">
              {option.label}
            </ListBoxItem>
          )}
        </ListBox>
      </Popover>
    </Select>
  );
}

export interface DayRange {
  /** YYYY-MM-DD, inclusive */
  start: string;
  end: string;
}

function toCalendar(range: DayRange | null): { start: CalendarDate; end: CalendarDate } | null {
  if (!range) return null;
  try {
    return { start: parseDate(range.start), end: parseDate(range.end) };
  } catch {
    return null;
  }
}

/**
 * From the start of the first day to the start of the day after the last, in `zone` (the company's time zone, which
 * the workspace shows dates in: useT().timeZone), else the browser's.
 */
export function rangeInstants(range: DayRange, zone: string | undefined): { from: string; to: string } {
  const tz = zone ?? getLocalTimeZone();
  return {
    from: parseDate(range.start).toDate(tz).toISOString(),
    to: parseDate(range.end).add({ days: 1 }).toDate(tz).toISOString(),
  };
}

export function DateRangeField({
  label,
  value,
  onChange,
}: {
  label: string;
  value: DayRange | null;
  onChange: (value: DayRange | null) => void;
}) {
  const { t, locale } = useT();
  return (
    // The kit formats the segments and the calendar in the workspace's language, not the browser's.
    <I18nProvider locale={locale}>
      <DateRangePicker
        className="hr-date-range"
        value={toCalendar(value)}
        onChange={(range) => onChange(range ? { start: range.start.toString(), end: range.end.toString() } : null)}
      >
        <Label>{label}</Label>
        <Group className="hr-date-group">
          <DateInput slot="start" className="hr-date-input">
            {(segment) => <DateSegment segment={segment} className="hr-date-segment" />}
          </DateInput>
          <span aria-hidden="true">–</span>
          <DateInput slot="end" className="hr-date-input">
            {(segment) => <DateSegment segment={segment} className="hr-date-segment" />}
          </DateInput>
          <Button className="hr-icon-button" aria-label={t('common.openCalendar')}>
            <span aria-hidden="true">▾</span>
          </Button>
        </Group>
        <Popover className="hr-popover">
          <Dialog className="hr-calendar-dialog">
            <RangeCalendar className="hr-calendar">
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
            </RangeCalendar>
          </Dialog>
        </Popover>
      </DateRangePicker>
    </I18nProvider>
  );
}
