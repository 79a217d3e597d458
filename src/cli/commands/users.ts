// billrun users add|list — the review desk's local users. Passwords come from stdin (one line)
// or a prompt that does not echo; never from the command line, where `ps` and shell history see them.
import { Command, Option } from 'commander';
import { FatalError } from '../../diagnostics/index.js';
import { addUser, DESK_ROLES, listUsers, MIN_PASSWORD } from '../../server/index.js';
import type { CommandContext } from '../context.js';

async function readPassword(prompt: (text: string) => void): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    let text = '';
    for await (const chunk of stdin) text += String(chunk);
    return text.replace(/\r?\n$/, '');
  }
  const ask = async (question: string) => {
    prompt(question);
    stdin.setRawMode(true);
    try {
      return await new Promise<string>((resolve, reject) => {
        let typed = '';
        const onData = (data: Buffer) => {
          for (const ch of data.toString('utf8')) {
            if (ch === '\r' || ch === '\n') {
              stdin.off('data', onData);
              prompt('\n');
              return resolve(typed);
            }
            if (ch === '\u0003') {
              stdin.off('data', onData);
              return reject(new FatalError('cancelled'));
            }
            typed = ch === '\u007f' ? typed.slice(0, -1) : typed + ch;
          }
        };
        stdin.on('data', onData);
      });
    } finally {
      stdin.setRawMode(false);
      stdin.pause();
    }
  };
  const first = await ask('password: ');
  if (first !== (await ask('again: '))) throw new FatalError('the two passwords differ; nothing was changed');
  return first;
}

export function usersCommand(ctx: CommandContext): Command {
  const users = new Command('users').description('users of the review desk (billrun serve)')
    .configureOutput({ writeOut: (text) => ctx.effects.stdout(text), writeErr: (text) => ctx.effects.stderr(text) });
  users.command('add <name>')
    .description(`add a user; the password (at least ${MIN_PASSWORD} characters) is read from stdin or a prompt`)
    .addOption(new Option('--role <role>', 'what the user may do').choices(DESK_ROLES).makeOptionMandatory())
    .action(async (name: string, options: { role: string }, command: Command) => {
      const password = await readPassword((text) => ctx.effects.stderr(text));
      const user = await ctx.withStore(command, (store) => addUser(store, name, options.role, password, ctx.effects.now()));
      ctx.print(`added ${user.name} (${user.role})`);
    });
  users.command('list')
    .description('the desk\'s users and their roles')
    .action(async (_options: unknown, command: Command) => {
      const all = await ctx.withStore(command, (store) => listUsers(store));
      for (const u of all) ctx.print(`${u.name}\t${u.role}\t${u.createdAt}`);
      if (all.length === 0) ctx.print('no users yet: billrun users add NAME --role reviewer|supervisor|agent');
    });
  return users;
}
