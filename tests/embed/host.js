// The example host: points both <foundry-keyring> elements at the API given by ?api= (the
// local double in tests), and writes every keyring event to the page's event log.
import '../embed/foundry-keyring-element.js';

const api = new URLSearchParams(location.search).get('api');
const log = document.getElementById('event-log');

for (const element of document.querySelectorAll('foundry-keyring')) {
  if (api) element.setAttribute('api-base', api);
  for (const type of ['foundry-keyring:unlocked', 'foundry-keyring:locked', 'foundry-keyring:error']) {
    element.addEventListener(type, (event) => {
      const item = document.createElement('li');
      item.textContent = `${element.id} ${type.replace('foundry-keyring:', '')} ${JSON.stringify(event.detail)}`;
      log.append(item);
    });
  }
}
