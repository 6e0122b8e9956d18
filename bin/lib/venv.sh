# Creates .venv when missing and installs a requirements file when it changed since the last
# install. Sourced by bin/run and bin/test.
mm_venv() {
  local requirements="$1"
  local python="${PYTHON:-python3}"
  if [ ! -x .venv/bin/python ]; then
    echo "==> Creating the virtual environment in .venv"
    "$python" -m venv .venv
  fi
  local stamp=".venv/.installed-$(basename "$requirements" .txt)"
  local digest
  digest=$(cat requirements/*.txt | sha256sum | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$digest" ]; then
    echo "==> Installing $requirements"
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -r "$requirements"
    echo "$digest" > "$stamp"
  fi
  export PATH="$PWD/.venv/bin:$PATH"
}
