import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Composer } from './Composer';

function renderComposer(overrides: Partial<Parameters<typeof Composer>[0]> = {}) {
  const onSend = vi.fn();
  const onDismissError = vi.fn();
  render(
    <Composer
      label="Message to #lobby"
      error={null}
      offline={false}
      onSend={onSend}
      onDismissError={onDismissError}
      {...overrides}
    />,
  );
  return { onSend, onDismissError, box: screen.getByLabelText('Message to #lobby') };
}

describe('Composer', () => {
  it('sends on Enter and clears the box', async () => {
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

  it('keeps the text in the box when it is refused before sending', async () => {
    const { onSend, box } = renderComposer();
    onSend.mockReturnValue(false);
    await userEvent.type(box, '/pm bob{Enter}');
    expect(onSend).toHaveBeenCalledWith('/pm bob');
    expect(box).toHaveValue('/pm bob');
    expect(box).toHaveFocus();
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
