//! The response encoder's unfinished tasks, by id: a dense table (ids are
//! handed out from 0 up, one per row), in id order as React's `abort` walks
//! them.

use super::encode::TaskState;

/// Unfinished tasks by id.
#[derive(Default)]
pub(super) struct Tasks {
    slots: Vec<Option<TaskState>>,
    live: usize,
}

impl Tasks {
    pub fn insert(&mut self, id: u32, task: TaskState) {
        let i = id as usize;
        if i >= self.slots.len() {
            // Ids come in order: room for the next ones too, not one slot at a time.
            let len = (i + 1).max(2 * self.slots.len()).max(8);
            self.slots.resize_with(len, || None);
        }
        if self.slots[i].replace(task).is_none() {
            self.live += 1;
        }
    }

    pub fn remove(&mut self, id: &u32) -> Option<TaskState> {
        let task = self.slots.get_mut(*id as usize).and_then(Option::take);
        if task.is_some() {
            self.live -= 1;
        }
        task
    }

    pub fn get(&self, id: &u32) -> Option<&TaskState> {
        self.slots.get(*id as usize).and_then(Option::as_ref)
    }

    pub fn get_mut(&mut self, id: &u32) -> Option<&mut TaskState> {
        self.slots.get_mut(*id as usize).and_then(Option::as_mut)
    }

    pub fn contains_key(&self, id: &u32) -> bool {
        self.get(id).is_some()
    }

    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// The tasks in id order.
    pub fn iter(&self) -> impl Iterator<Item = (u32, &TaskState)> {
        self.slots.iter().enumerate().filter_map(|(i, t)| t.as_ref().map(|t| (i as u32, t)))
    }

    /// The ids in order.
    pub fn keys(&self) -> impl Iterator<Item = u32> + '_ {
        self.iter().map(|(id, _)| id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_by_id() {
        let mut t = Tasks::default();
        assert!(t.is_empty());
        t.insert(5, TaskState::Promise);
        t.insert(2, TaskState::Promise);
        t.insert(5, TaskState::Promise);
        assert!(t.contains_key(&2) && t.get_mut(&5).is_some() && !t.contains_key(&3) && !t.contains_key(&99));
        assert_eq!(t.keys().collect::<Vec<_>>(), [2, 5]);
        assert!(t.remove(&2).is_some() && t.remove(&2).is_none() && t.remove(&99).is_none());
        assert!(!t.is_empty());
        assert!(t.remove(&5).is_some());
        assert!(t.is_empty() && t.iter().next().is_none());
    }
}
