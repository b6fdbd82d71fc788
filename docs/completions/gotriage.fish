# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_gotriage_global_optspecs
    string join \n color= h/help V/version
end

function __fish_gotriage_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_gotriage_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_gotriage_using_subcommand
    set -l cmd (__fish_gotriage_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c gotriage -n "__fish_gotriage_needs_command" -l color -d 'When to use colour: auto (a terminal, honouring NO_COLOR / CLICOLOR / CLICOLOR_FORCE), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gotriage -n "__fish_gotriage_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c gotriage -n "__fish_gotriage_needs_command" -s V -l version -d 'Print version'
complete -c gotriage -n "__fish_gotriage_needs_command" -f -a "go" -d 'Run the real go through the shim (for `alias go=\'gotriage go\'`)'
complete -c gotriage -n "__fish_gotriage_needs_command" -f -a "which" -d 'Show which real go the shim runs, how it was found, and whether the shim is active'
complete -c gotriage -n "__fish_gotriage_needs_command" -f -a "explain" -d 'Diagnose a saved log (FILE, or - for stdin), or explain a diagnosis ID'
complete -c gotriage -n "__fish_gotriage_needs_command" -f -a "rules" -d 'List, show and check diagnosis rules'
complete -c gotriage -n "__fish_gotriage_needs_command" -f -a "doctor" -d 'Check the go + git + SSH + proxy set-up; probe modules end to end'
complete -c gotriage -n "__fish_gotriage_needs_command" -f -a "init" -d 'Print the shell snippet that puts gotriage in front of go'
complete -c gotriage -n "__fish_gotriage_needs_command" -f -a "install" -d 'Put a `go` link to gotriage in a shim directory'
complete -c gotriage -n "__fish_gotriage_needs_command" -f -a "uninstall" -d 'Remove the `go` link that `install` made'
complete -c gotriage -n "__fish_gotriage_needs_command" -f -a "completions" -d 'Generate shell completions (for packaging)'
complete -c gotriage -n "__fish_gotriage_needs_command" -f -a "man" -d 'Generate the man page (for packaging): gotriage(1), or gotriage-SUBCOMMAND(1)'
complete -c gotriage -n "__fish_gotriage_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gotriage -n "__fish_gotriage_using_subcommand go" -l color -d 'When to use colour: auto (a terminal, honouring NO_COLOR / CLICOLOR / CLICOLOR_FORCE), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gotriage -n "__fish_gotriage_using_subcommand which" -l format -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c gotriage -n "__fish_gotriage_using_subcommand which" -l color -d 'When to use colour: auto (a terminal, honouring NO_COLOR / CLICOLOR / CLICOLOR_FORCE), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gotriage -n "__fish_gotriage_using_subcommand which" -s h -l help -d 'Print help'
complete -c gotriage -n "__fish_gotriage_using_subcommand explain" -l format -d 'Output format (json is a versioned contract: docs/json.md)' -r -f -a "text\t''
json\t''"
complete -c gotriage -n "__fish_gotriage_using_subcommand explain" -l color -d 'When to use colour: auto (a terminal, honouring NO_COLOR / CLICOLOR / CLICOLOR_FORCE), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gotriage -n "__fish_gotriage_using_subcommand explain" -s h -l help -d 'Print help'
complete -c gotriage -n "__fish_gotriage_using_subcommand rules; and not __fish_seen_subcommand_from list show check help" -l color -d 'When to use colour: auto (a terminal, honouring NO_COLOR / CLICOLOR / CLICOLOR_FORCE), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gotriage -n "__fish_gotriage_using_subcommand rules; and not __fish_seen_subcommand_from list show check help" -s h -l help -d 'Print help'
complete -c gotriage -n "__fish_gotriage_using_subcommand rules; and not __fish_seen_subcommand_from list show check help" -f -a "list" -d 'List every rule: ID and title'
complete -c gotriage -n "__fish_gotriage_using_subcommand rules; and not __fish_seen_subcommand_from list show check help" -f -a "show" -d 'Show one rule in full'
complete -c gotriage -n "__fish_gotriage_using_subcommand rules; and not __fish_seen_subcommand_from list show check help" -f -a "check" -d 'Check a rule file: schema, regexes, examples'
complete -c gotriage -n "__fish_gotriage_using_subcommand rules; and not __fish_seen_subcommand_from list show check help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gotriage -n "__fish_gotriage_using_subcommand rules; and __fish_seen_subcommand_from list" -l format -r -f -a "text\t''
json\t''"
complete -c gotriage -n "__fish_gotriage_using_subcommand rules; and __fish_seen_subcommand_from list" -l color -d 'When to use colour: auto (a terminal, honouring NO_COLOR / CLICOLOR / CLICOLOR_FORCE), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gotriage -n "__fish_gotriage_using_subcommand rules; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c gotriage -n "__fish_gotriage_using_subcommand rules; and __fish_seen_subcommand_from show" -l color -d 'When to use colour: auto (a terminal, honouring NO_COLOR / CLICOLOR / CLICOLOR_FORCE), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gotriage -n "__fish_gotriage_using_subcommand rules; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c gotriage -n "__fish_gotriage_using_subcommand rules; and __fish_seen_subcommand_from check" -l color -d 'When to use colour: auto (a terminal, honouring NO_COLOR / CLICOLOR / CLICOLOR_FORCE), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gotriage -n "__fish_gotriage_using_subcommand rules; and __fish_seen_subcommand_from check" -s h -l help -d 'Print help'
complete -c gotriage -n "__fish_gotriage_using_subcommand rules; and __fish_seen_subcommand_from help" -f -a "list" -d 'List every rule: ID and title'
complete -c gotriage -n "__fish_gotriage_using_subcommand rules; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show one rule in full'
complete -c gotriage -n "__fish_gotriage_using_subcommand rules; and __fish_seen_subcommand_from help" -f -a "check" -d 'Check a rule file: schema, regexes, examples'
complete -c gotriage -n "__fish_gotriage_using_subcommand rules; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gotriage -n "__fish_gotriage_using_subcommand doctor" -l timeout -d 'Seconds each probe may take (a hard wall-clock limit)' -r
complete -c gotriage -n "__fish_gotriage_using_subcommand doctor" -l format -d 'Output format (exit status is the same with json: docs/doctor.md)' -r -f -a "text\t''
json\t''"
complete -c gotriage -n "__fish_gotriage_using_subcommand doctor" -l color -d 'When to use colour: auto (a terminal, honouring NO_COLOR / CLICOLOR / CLICOLOR_FORCE), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gotriage -n "__fish_gotriage_using_subcommand doctor" -l network -d 'Run network probes (DNS, TCP, git ls-remote, ssh, proxy, sumdb)'
complete -c gotriage -n "__fish_gotriage_using_subcommand doctor" -l ascii -d 'Mark checks with ok/warn/FAIL/skip instead of symbols (the default when the locale is not UTF-8)'
complete -c gotriage -n "__fish_gotriage_using_subcommand doctor" -s h -l help -d 'Print help'
complete -c gotriage -n "__fish_gotriage_using_subcommand init" -l mode -d 'path: put the shim directory first on PATH (seen by scripts and tools); alias: define go as `gotriage go`' -r -f -a "path\t''
alias\t''"
complete -c gotriage -n "__fish_gotriage_using_subcommand init" -l dir -d 'Shim directory (default: the one `gotriage install` uses)' -r -F
complete -c gotriage -n "__fish_gotriage_using_subcommand init" -l color -d 'When to use colour: auto (a terminal, honouring NO_COLOR / CLICOLOR / CLICOLOR_FORCE), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gotriage -n "__fish_gotriage_using_subcommand init" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c gotriage -n "__fish_gotriage_using_subcommand install" -l dir -d 'Shim directory (default: $XDG_DATA_HOME/gotriage/bin; %LOCALAPPDATA%\\gotriage\\bin on Windows)' -r -F
complete -c gotriage -n "__fish_gotriage_using_subcommand install" -l color -d 'When to use colour: auto (a terminal, honouring NO_COLOR / CLICOLOR / CLICOLOR_FORCE), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gotriage -n "__fish_gotriage_using_subcommand install" -s h -l help -d 'Print help'
complete -c gotriage -n "__fish_gotriage_using_subcommand uninstall" -l dir -d 'Shim directory (default: $XDG_DATA_HOME/gotriage/bin; %LOCALAPPDATA%\\gotriage\\bin on Windows)' -r -F
complete -c gotriage -n "__fish_gotriage_using_subcommand uninstall" -l color -d 'When to use colour: auto (a terminal, honouring NO_COLOR / CLICOLOR / CLICOLOR_FORCE), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gotriage -n "__fish_gotriage_using_subcommand uninstall" -s h -l help -d 'Print help'
complete -c gotriage -n "__fish_gotriage_using_subcommand completions" -l color -d 'When to use colour: auto (a terminal, honouring NO_COLOR / CLICOLOR / CLICOLOR_FORCE), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gotriage -n "__fish_gotriage_using_subcommand completions" -s h -l help -d 'Print help'
complete -c gotriage -n "__fish_gotriage_using_subcommand man" -l color -d 'When to use colour: auto (a terminal, honouring NO_COLOR / CLICOLOR / CLICOLOR_FORCE), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gotriage -n "__fish_gotriage_using_subcommand man" -s h -l help -d 'Print help'
complete -c gotriage -n "__fish_gotriage_using_subcommand help; and not __fish_seen_subcommand_from go which explain rules doctor init install uninstall completions man help" -f -a "go" -d 'Run the real go through the shim (for `alias go=\'gotriage go\'`)'
complete -c gotriage -n "__fish_gotriage_using_subcommand help; and not __fish_seen_subcommand_from go which explain rules doctor init install uninstall completions man help" -f -a "which" -d 'Show which real go the shim runs, how it was found, and whether the shim is active'
complete -c gotriage -n "__fish_gotriage_using_subcommand help; and not __fish_seen_subcommand_from go which explain rules doctor init install uninstall completions man help" -f -a "explain" -d 'Diagnose a saved log (FILE, or - for stdin), or explain a diagnosis ID'
complete -c gotriage -n "__fish_gotriage_using_subcommand help; and not __fish_seen_subcommand_from go which explain rules doctor init install uninstall completions man help" -f -a "rules" -d 'List, show and check diagnosis rules'
complete -c gotriage -n "__fish_gotriage_using_subcommand help; and not __fish_seen_subcommand_from go which explain rules doctor init install uninstall completions man help" -f -a "doctor" -d 'Check the go + git + SSH + proxy set-up; probe modules end to end'
complete -c gotriage -n "__fish_gotriage_using_subcommand help; and not __fish_seen_subcommand_from go which explain rules doctor init install uninstall completions man help" -f -a "init" -d 'Print the shell snippet that puts gotriage in front of go'
complete -c gotriage -n "__fish_gotriage_using_subcommand help; and not __fish_seen_subcommand_from go which explain rules doctor init install uninstall completions man help" -f -a "install" -d 'Put a `go` link to gotriage in a shim directory'
complete -c gotriage -n "__fish_gotriage_using_subcommand help; and not __fish_seen_subcommand_from go which explain rules doctor init install uninstall completions man help" -f -a "uninstall" -d 'Remove the `go` link that `install` made'
complete -c gotriage -n "__fish_gotriage_using_subcommand help; and not __fish_seen_subcommand_from go which explain rules doctor init install uninstall completions man help" -f -a "completions" -d 'Generate shell completions (for packaging)'
complete -c gotriage -n "__fish_gotriage_using_subcommand help; and not __fish_seen_subcommand_from go which explain rules doctor init install uninstall completions man help" -f -a "man" -d 'Generate the man page (for packaging): gotriage(1), or gotriage-SUBCOMMAND(1)'
complete -c gotriage -n "__fish_gotriage_using_subcommand help; and not __fish_seen_subcommand_from go which explain rules doctor init install uninstall completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gotriage -n "__fish_gotriage_using_subcommand help; and __fish_seen_subcommand_from rules" -f -a "list" -d 'List every rule: ID and title'
complete -c gotriage -n "__fish_gotriage_using_subcommand help; and __fish_seen_subcommand_from rules" -f -a "show" -d 'Show one rule in full'
complete -c gotriage -n "__fish_gotriage_using_subcommand help; and __fish_seen_subcommand_from rules" -f -a "check" -d 'Check a rule file: schema, regexes, examples'
complete -c gotriage -n "__fish_gotriage_using_subcommand init; and not __fish_seen_subcommand_from bash zsh fish sh powershell" -f -a "bash" -d 'for ~/.bashrc'
complete -c gotriage -n "__fish_gotriage_using_subcommand init; and not __fish_seen_subcommand_from bash zsh fish sh powershell" -f -a "zsh" -d 'for ~/.zshrc'
complete -c gotriage -n "__fish_gotriage_using_subcommand init; and not __fish_seen_subcommand_from bash zsh fish sh powershell" -f -a "fish" -d 'for ~/.config/fish/config.fish'
complete -c gotriage -n "__fish_gotriage_using_subcommand init; and not __fish_seen_subcommand_from bash zsh fish sh powershell" -f -a "sh" -d 'POSIX sh (dash, ash, bash --posix): for ~/.profile'
complete -c gotriage -n "__fish_gotriage_using_subcommand init; and not __fish_seen_subcommand_from bash zsh fish sh powershell" -f -a "powershell" -d 'PowerShell (Windows PowerShell 5.1 and pwsh): for $PROFILE'
complete -c gotriage -n "__fish_gotriage_using_subcommand completions; and not __fish_seen_subcommand_from bash elvish fish powershell zsh" -f -a "bash"
complete -c gotriage -n "__fish_gotriage_using_subcommand completions; and not __fish_seen_subcommand_from bash elvish fish powershell zsh" -f -a "elvish"
complete -c gotriage -n "__fish_gotriage_using_subcommand completions; and not __fish_seen_subcommand_from bash elvish fish powershell zsh" -f -a "fish"
complete -c gotriage -n "__fish_gotriage_using_subcommand completions; and not __fish_seen_subcommand_from bash elvish fish powershell zsh" -f -a "powershell"
complete -c gotriage -n "__fish_gotriage_using_subcommand completions; and not __fish_seen_subcommand_from bash elvish fish powershell zsh" -f -a "zsh"
