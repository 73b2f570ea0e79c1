import { Input, Label, Text, TextField } from 'react-aria-components';
import { useT } from '../i18n/i18n.tsx';

/** api/auth/passwords.ts's minimum; the API's 400 says so too if the two ever differ. */
export const minPasswordLength = 10;

/** The new password of a reset or an accepted invitation: one field, one rule, one hint. */
export function NewPasswordField() {
  const { t } = useT();
  return (
    <TextField
      name="password"
      type="password"
      autoComplete="new-password"
      isRequired
      minLength={minPasswordLength}
      className="hr-field"
    >
      <Label>{t('reset.password')}</Label>
      <Input className="hr-input" />
      <Text slot="description" className="hr-hint">
        {t('reset.hint', { n: minPasswordLength })}
      </Text>
    </TextField>
  );
}
