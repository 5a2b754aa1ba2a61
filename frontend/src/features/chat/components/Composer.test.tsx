import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { Composer, type ComposerProps } from './Composer';

/** The box with its owner: a draft that the owner empties when it takes a send. */
type OwnerProps = Partial<Omit<ComposerProps, 'onSend'>> & { onSend(text: string): boolean; initial?: string };

function Owner({ onSend, initial = '', ...props }: OwnerProps) {
  const [value, setValue] = useState(initial);
  return (
    <Composer
      label="Message to #lobby"
      error={null}
      offline={false}
      maxLength={null}
      onDismissError={() => {}}
      {...props}
      value={value}
      onChange={setValue}
      onSend={(text) => {
        if (onSend(text)) setValue('');
      }}
    />
  );
}

function renderComposer(props: Omit<Partial<OwnerProps>, 'onSend'> = {}) {
  const onSend = vi.fn((_text: string) => true);
  const onDismissError = vi.fn();
  render(<Owner onSend={onSend} onDismissError={onDismissError} {...props} />);
  return { onSend, onDismissError, box: screen.getByLabelText('Message to #lobby'), send: screen.getByRole('button', { name: 'Send' }) };
}

describe('Composer', () => {
  it('sends on Enter and keeps the focus in the box', async () => {
    const { onSend, box } = renderComposer();
    await userEvent.type(box, 'hello{Enter}');
    expect(onSend).toHaveBeenCalledWith('hello');
    expect(box).toHaveValue('');
    expect(box).toHaveFocus();
  });

  it('starts a new line on Shift+Enter', async () => {
    const { onSend, box } = renderComposer();
    await userEvent.type(box, 'one{Shift>}{Enter}{/Shift}two{Enter}');
    expect(onSend).toHaveBeenCalledWith('one\ntwo');
  });

  it('does not send white space only', async () => {
    const { onSend, box } = renderComposer();
    await userEvent.type(box, '   {Enter}');
    expect(onSend).not.toHaveBeenCalled();
  });

  it('keeps the text in the box when its owner does not take it', async () => {
    const { onSend, box } = renderComposer();
    onSend.mockReturnValue(false);
    await userEvent.type(box, '/pm bob{Enter}');
    expect(onSend).toHaveBeenCalledWith('/pm bob');
    expect(box).toHaveValue('/pm bob');
    expect(box).toHaveFocus();
  });

  it('shows no counter far from the limit, and one near it', async () => {
    const { box } = renderComposer({ maxLength: 20 });
    const counter = screen.getByTestId('composer-counter');
    await userEvent.type(box, 'x'.repeat(10));
    expect(counter).not.toBeVisible();
    await userEvent.type(box, 'x'.repeat(8));
    expect(counter).toBeVisible();
    expect(counter).toHaveTextContent('18 / 20 characters');
  });

  it('disables Send past the limit, says by how much, and sends nothing on Enter', async () => {
    const { onSend, box, send } = renderComposer({ maxLength: 4000, initial: 'x'.repeat(4001) });
    expect(send).toBeDisabled();
    expect(screen.getByTestId('composer-counter')).toHaveTextContent(/4,001 \/ 4,000 characters: 1 too many/);
    expect(box).toHaveAttribute('aria-invalid', 'true');
    await userEvent.type(box, '{Enter}');
    expect(onSend).not.toHaveBeenCalled();
    expect(box).toHaveValue('x'.repeat(4001));
    await userEvent.type(box, '{Backspace}');
    expect(send).toBeEnabled();
  });

  it('counts characters as the server does: trimmed, and an emoji is one', () => {
    renderComposer({ maxLength: 3, initial: '  😀😀😀  ' });
    expect(screen.getByRole('button', { name: 'Send' })).toBeEnabled();
    expect(screen.getByTestId('composer-counter')).toHaveTextContent('3 / 3 characters');
  });

  it('sets no limit of its own when the server has not said one', () => {
    const { send } = renderComposer({ maxLength: null, initial: 'x'.repeat(5000) });
    expect(send).toBeEnabled();
    expect(screen.getByTestId('composer-counter')).not.toBeVisible();
  });

  it('shows the server error next to the box, as an alert', () => {
    const { box } = renderComposer({ error: 'The message is too long.' });
    expect(screen.getByRole('alert')).toHaveTextContent('The message is too long.');
    expect(box).toHaveAttribute('aria-invalid', 'true');
    expect(box.getAttribute('aria-describedby')).toContain(screen.getByRole('alert').id);
  });

  it('clears the error once the person types again', async () => {
    const { onDismissError, box } = renderComposer({ error: 'Nope.' });
    await userEvent.type(box, 'a');
    expect(onDismissError).toHaveBeenCalled();
  });

  it('says that offline messages will be sent later', () => {
    renderComposer({ offline: true });
    expect(screen.getByText(/sent when the connection is back/)).toBeInTheDocument();
  });
});
